/**
 * Wrap-up through the admin API (issue 23, point 3): an agent gives a call they took a code of its queue and a note,
 * which land on the call's record, audited; who may do it; the clear refusals; asking an agent's workflow for more
 * wrap-up time; and the queue option `wrapUpCodes`, validated like the other queue options.
 */
import { describe, expect, it } from 'vitest';
import { agents as configuredAgents } from '../../flows/index.js';
import { agentWorkflowId } from '../../src/contracts/agent.js';
import { QueueValidationError, validateQueues } from '../../src/routing/validate.js';
import { ADMIN, AGENT, ALEX_AGENT, ALEX_ID, MEGAN_ID, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, auditCount, lastAudit } = api;

/** Codes as an admin makes them: two active, one retired. call-1 (support) was taken by Alex. */
async function setUp() {
  const t = await token(ADMIN);
  for (const [code, active] of [
    ['resolved', true],
    ['escalated', true],
    ['retired', false],
  ] as const) {
    expect(
      (await call('PUT', `/api/admin/wrap-up-codes/${code}`, { token: t, body: { label: code, active } })).status,
    ).toBe(200);
  }
  await api.orm.em.getConnection().execute(`update call set agent_id = ? where id = 'call-1'`, [ALEX_ID]);
}

describe('PUT /calls/{id}/wrap-up', () => {
  it("puts the agent's code and note on a call they took, shown on the call's record, audited without the note", async () => {
    await setUp();
    const t = await token(ALEX_AGENT);
    const before = await auditCount();
    const res = await call('PUT', '/api/admin/calls/call-1/wrap-up', {
      token: t,
      body: { code: 'escalated', note: 'wants a refund' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ callId: 'call-1', agentId: ALEX_ID, code: 'escalated', note: 'wants a refund' });
    expect(await auditCount()).toBe(before + 1);
    const entry = await lastAudit();
    expect(entry).toMatchObject({
      action: 'call.wrapUp',
      target: 'call:call-1',
      actor_id: ALEX_ID,
      before: null,
      after: { code: 'escalated', agentId: ALEX_ID, noteLength: 14 },
    });
    expect(JSON.stringify(entry)).not.toContain('refund');

    // Saving again replaces the pick; a supervisor may correct it, and it stays counted for Alex.
    const fixed = await call('PUT', '/api/admin/calls/call-1/wrap-up', {
      token: await token(SUPERVISOR),
      body: { code: 'resolved' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.json).toMatchObject({ callId: 'call-1', agentId: ALEX_ID, code: 'resolved', note: null });
    expect(await lastAudit()).toMatchObject({ before: { code: 'escalated' }, after: { code: 'resolved' } });

    const record = await call('GET', '/api/admin/calls/call-1', { token: await token(SUPERVISOR) });
    expect(record.status).toBe(200);
    expect(record.json.wrapUp).toMatchObject({ callId: 'call-1', agentId: ALEX_ID, code: 'resolved', note: null });
    const rows = await api.orm.em.getConnection().execute(`select agent_id, code from call_wrap_up`);
    expect(rows).toEqual([{ agent_id: ALEX_ID, code: 'resolved' }]);
  });

  it('refuses an agent a call they did not take (403) and anyone an unknown call (404)', async () => {
    const before = await auditCount();
    const other = await call('PUT', '/api/admin/calls/call-2/wrap-up', {
      token: await token(ALEX_AGENT),
      body: { code: 'resolved' },
    });
    expect(other.status).toBe(403);
    expect(other.json.error.message).toBe('agents may only wrap up calls they took');
    const stranger = await call('PUT', '/api/admin/calls/call-1/wrap-up', {
      token: await token(AGENT),
      body: { code: 'resolved' },
    });
    expect(stranger.status).toBe(403);
    const missing = await call('PUT', '/api/admin/calls/no-such-call/wrap-up', {
      token: await token(ADMIN),
      body: { code: 'resolved' },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe('no such call');
    expect(await auditCount()).toBe(before);
  });

  it('refuses a code that is not an active code of the queue, and a bad body, with a clear 400', async () => {
    const t = await token(ALEX_AGENT);
    for (const code of ['retired', 'never-made']) {
      const res = await call('PUT', '/api/admin/calls/call-1/wrap-up', { token: t, body: { code } });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe(
        `body.code: '${code}' is not an active wrap-up code of queue support (allowed: escalated, resolved)`,
      );
    }
    const long = await call('PUT', '/api/admin/calls/call-1/wrap-up', {
      token: t,
      body: { code: 'resolved', note: 'x'.repeat(501) },
    });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toBe('body.note: at most 500 characters');
    const extra = await call('PUT', '/api/admin/calls/call-1/wrap-up', { token: t, body: { code: 'resolved', x: 1 } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/^body: Unrecognized key/);
    const none = await call('PUT', '/api/admin/calls/call-1/wrap-up', { token: t, body: {} });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toMatch(/^body\.code: /);
  });
});

describe('POST /agents/{id}/wrap-up/extend', () => {
  it('lets an agent extend only their own wrap-up, by 1–600 s, and says when the agent has no workflow', async () => {
    const t = await token(ALEX_AGENT);
    const other = await call('POST', `/api/admin/agents/${MEGAN_ID}/wrap-up/extend`, {
      token: t,
      body: { seconds: 60 },
    });
    expect(other.status).toBe(403);
    expect(other.json.error.message).toBe('agents may only extend their own wrap-up');
    for (const seconds of [0, 601, 1.5, '60']) {
      const bad = await call('POST', `/api/admin/agents/${ALEX_ID}/wrap-up/extend`, { token: t, body: { seconds } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toMatch(/^body\.seconds: /);
    }
    // No agent workflow has been started in this file's Temporal.
    const gone = await call('POST', `/api/admin/agents/${ALEX_ID}/wrap-up/extend`, { token: t, body: { seconds: 60 } });
    expect(gone.status).toBe(404);
    expect(gone.json.error.message).toBe('no such agent (no agent workflow is running for this id)');
    expect(
      await api.client.workflow
        .getHandle(agentWorkflowId(ALEX_ID))
        .describe()
        .catch(() => null),
    ).toBeNull();
  });
});

describe('OpenAPI', () => {
  it('documents both routes with their bodies', async () => {
    const { json } = await call('GET', '/api/openapi.json');
    const put = json.paths['/api/admin/calls/{id}/wrap-up'].put;
    expect(put.requestBody.content['application/json'].schema.required).toEqual(['code']);
    expect(put.requestBody.content['application/json'].schema.properties.note.maxLength).toBe(500);
    const extend = json.paths['/api/admin/agents/{id}/wrap-up/extend'].post;
    expect(extend.requestBody.content['application/json'].schema.properties.seconds).toMatchObject({
      minimum: 1,
      maximum: 600,
    });
  });
});

describe('queue option wrapUpCodes', () => {
  const agents = configuredAgents;
  const agent = Object.keys(agents)[0]!;
  it("takes a list of code names, and refuses an empty list, a repeat or a name the admin's list could not hold", () => {
    expect(validateQueues(agents, { q: { agents: [agent], wrapUpCodes: ['sold', 'no-sale'] } }).q!.wrapUpCodes).toEqual(
      ['sold', 'no-sale'],
    );
    expect(validateQueues(agents, { q: { agents: [agent] } }).q!.wrapUpCodes).toBeUndefined();
    const problems = (wrapUpCodes: string[]) => {
      try {
        validateQueues(agents, { q: { agents: [agent], wrapUpCodes } });
      } catch (err) {
        if (err instanceof QueueValidationError) return err.message;
        throw err;
      }
      return 'accepted';
    };
    expect(problems([])).toContain(
      'queue q: wrapUpCodes: list at least one code, or leave wrapUpCodes out for every active code',
    );
    expect(problems(['sold', 'sold'])).toContain('queue q: wrapUpCodes: a code is listed twice');
    expect(problems(['sold out'])).toContain(
      'queue q: wrapUpCodes.0: a wrap-up code: letters, digits, _ . - only, at most 50',
    );
  });
});
