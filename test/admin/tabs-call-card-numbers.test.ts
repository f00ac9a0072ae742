/**
 * The call card in the agent's tab shows numbers as a person reads them (issue 23, point 3: "the caller's number and
 * name, the line dialled"): the caller's and the dialled line's E.164 numbers in international format
 * (src/phone/number.ts displayPhoneNumber); a Teams caller's id or a resource account is shown as it is.
 * readFloor is what the live stream sends the tabs, read here from real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFloor } from '../../src/tabs/floor.js';
import { startServices, type Services } from '../helpers/services.js';

let services: Services;

beforeAll(async () => {
  services = await startServices('tabs-call-card-numbers', { migrate: true });
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

/** An agent on a call from `from` to `to`, as the worker's records leave them in `call` and `agent_live`. */
async function onCall(agentId: string, callId: string, from: string, to: string) {
  const conn = services.orm.em.getConnection();
  await conn.execute(
    `insert into call (id, workflow_id, from_id, from_name, to_id, queue, arrived_at, updated_at)
       values (?, ?, ?, 'Pat Caller', ?, 'support', now(), now())`,
    [callId, `call-${callId}`, from, to],
  );
  await conn.execute(
    `insert into agent_live (agent_id, state, since, call_id, updated_at) values (?, 'onCall', now(), ?, now())`,
    [agentId, callId],
  );
}

describe("the tab's call card", () => {
  it('shows the caller and the line dialled in international format', async () => {
    await onCall('agent-1', 'c-numbers', '+14255550163', '+442079460958');
    const card = (await readFloor(services.orm.em.fork())).cards['c-numbers']!;
    expect(card.from).toEqual({ number: '+1 425 555 0163', name: 'Pat Caller' });
    expect(card.line).toBe('+44 20 7946 0958');
  });

  it("leaves what is not a phone number as it is (a Teams caller's id, a resource account)", async () => {
    await onCall('agent-2', 'c-teams', '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f', 'ra-support');
    const card = (await readFloor(services.orm.em.fork())).cards['c-teams']!;
    expect(card.from.number).toBe('8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f');
    expect(card.line).toBe('ra-support');
  });
});
