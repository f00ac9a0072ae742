/**
 * `switchboard admin transfer <call id> --queue Q | --agent A [--blind]` (issue 24, point 4) against the admin API on
 * real Postgres and Temporal: the API's refusals as exit codes with their message (unknown queue 400, unknown agent
 * 404, unknown call 404, an agent transferring a call they are not on 403), usage errors (exit 2), and that nothing
 * refused is audited. A transfer carried out is covered over the emulator by test/e2e/warm-transfer.e2e.test.ts, the
 * call workflow's refusals (not a conference, no agent talking) by test/flows/warm-transfer-flow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ADELE_ID, AGENT, ALEX_AGENT, MEGAN_ID, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();

/** A CDR row of a call Alex took, with no call workflow running any more. */
async function endedCallOfAlex(id: string): Promise<void> {
  await api.orm.em
    .getConnection()
    .execute(
      `insert into call (id, workflow_id, agent_id, arrived_at, updated_at) values (?, ?, ?, now(), now()) on conflict do nothing`,
      [id, `call-${id}`, ALEX_AGENT.oid],
    );
}

describe('switchboard admin transfer', () => {
  it('unknown queue 400, unknown agent 404, unknown call 404: exit 1 with the API’s message, nothing audited', async () => {
    const audits = await api.auditCount();
    const token = await api.token(SUPERVISOR);
    const queue = await api.cli(['transfer', 'call-1', '--queue', 'nowhere'], token);
    expect(queue).toMatchObject({ code: 1 });
    expect(queue.stderr).toMatch(/^400: no such queue: nowhere/);
    const agent = await api.cli(['transfer', 'call-1', '--agent', 'no-such-agent'], token);
    expect(agent.stderr).toMatch(/^404: no such agent: no-such-agent/);
    const call = await api.cli(['transfer', 'no-such-call', '--agent', MEGAN_ID], token);
    expect(call.stderr).toMatch(/^404: no such call\n/);
    await endedCallOfAlex('transfer-ended-1');
    const ended = await api.cli(['transfer', 'transfer-ended-1', '--queue', 'sales'], token);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/^404: no such call in progress/);
    expect(await api.auditCount()).toBe(audits);
  });

  it('an agent may transfer only a call they are on (403); a body naming both or neither is a 400', async () => {
    await endedCallOfAlex('transfer-ended-2');
    const other = await api.cli(['transfer', 'transfer-ended-2', '--queue', 'sales'], await api.token(AGENT));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^403: agents may only transfer calls they are talking on/);
    // Alex is on it: past the role check, the call has no workflow running.
    const own = await api.cli(['transfer', 'transfer-ended-2', '--queue', 'sales'], await api.token(ALEX_AGENT));
    expect(own.stderr).toMatch(/^404: no such call in progress/);
    const token = await api.token(SUPERVISOR);
    for (const body of [{}, { queue: 'sales', agentId: ADELE_ID }]) {
      const r = await api.call('POST', '/api/admin/calls/transfer-ended-2/transfer', { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.json)).toMatch(/give either queue or agentId/);
    }
    const extra = await api.call('POST', '/api/admin/calls/transfer-ended-2/transfer', {
      token,
      body: { queue: 'sales', warm: true },
    });
    expect(extra.status).toBe(400);
  });

  it('the OpenAPI document has the route, its body and its answer', async () => {
    const { json } = await api.call('GET', '/api/openapi.json');
    const post = json.paths['/api/admin/calls/{id}/transfer'].post;
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toEqual([
      'queue',
      'agentId',
      'blind',
    ]);
    expect(JSON.stringify(post.responses)).toMatch(/fromAgentId/);
  });

  it('usage errors exit 2 and --help shows the command', async () => {
    const token = await api.token(SUPERVISOR);
    for (const args of [
      ['transfer'],
      ['transfer', 'call-1'],
      ['transfer', 'call-1', '--queue', 'sales', '--agent', ADELE_ID],
    ]) {
      const r = await api.cli(args, token);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown or incomplete admin command/);
    }
    const help = await api.cli(['transfer', '--help'], token);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: switchboard admin transfer <call id> --queue Q \| --agent AGENT \[--blind\]/);
  });
});
