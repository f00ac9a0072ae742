/**
 * The embedded demo's wrap-up codes (issue 23, point 1): `switchboard up` and the kit's demo stack seed a few, so
 * the agent tab's wrap-up section has a choice; a database that already has codes keeps its own list. Real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRAP_UP_CODES, seedDemoWrapUpCodes } from '../../devkit/teams/demo-wrap-up-codes.js';
import { wrapUpCodesFor } from '../../src/admin/wrap-up.js';
import { queues } from '../../flows/index.js';
import { startServices, type Services } from '../helpers/services.js';

let services: Services;

beforeAll(async () => {
  services = await startServices('demo-wrap-up-codes', { migrate: true });
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

const codesInDb = async () =>
  (
    await services.orm.em
      .getConnection()
      .execute<{ code: string; active: boolean }[]>('select code, active from wrap_up_code order by code')
  ).map((r) => `${r.code}:${r.active}`);

describe("the demo's wrap-up codes", () => {
  it("are written to an empty database, active, and offered for the demo's support calls", async () => {
    expect(await codesInDb()).toEqual([]);
    const seeded = await seedDemoWrapUpCodes(services.orm);
    expect(seeded.sort()).toEqual(DEMO_WRAP_UP_CODES.map((c) => c.code).sort());
    expect(await codesInDb()).toEqual(
      DEMO_WRAP_UP_CODES.map((c) => `${c.code}:true`).sort((a, b) => a.localeCompare(b)),
    );
    // What the agent tab offers for a call of flows/index.ts's support queue (it lists no codes of its own).
    const offered = await wrapUpCodesFor(services.orm.em.fork(), queues, 'support');
    expect(offered.map((c) => c.label)).toEqual(expect.arrayContaining(['Resolved', 'Escalated to second line']));
    expect(offered).toHaveLength(DEMO_WRAP_UP_CODES.length);
  });

  it('adds nothing on the next start of the demo', async () => {
    expect(await seedDemoWrapUpCodes(services.orm)).toEqual([]);
    expect(await codesInDb()).toHaveLength(DEMO_WRAP_UP_CODES.length);
  });

  it("leaves a database with codes of its own as it is, even when an admin removed the demo's", async () => {
    const conn = services.orm.em.getConnection();
    await conn.execute('delete from wrap_up_code');
    await conn.execute(
      `insert into wrap_up_code (code, label, active, updated_at) values ('sold', 'Sold', false, now())`,
    );
    expect(await seedDemoWrapUpCodes(services.orm)).toEqual([]);
    expect(await codesInDb()).toEqual(['sold:false']);
  });
});
