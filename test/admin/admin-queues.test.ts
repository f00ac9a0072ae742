/**
 * Queues and memberships through the admin API: the queues of flows/ with their members, opting in and out through
 * the agent's workflow, bringing a paused agent back, and who may do which, all audited.
 */
import { describe, expect, it } from 'vitest';
import { agents as configuredAgents, queues as configuredQueues } from '../../flows/index.js';
import { agentWorkflowId } from '../../src/contracts/agent.js';
import { decodeHistoryPayloads } from '../../src/temporal/history-codec.js';
import {
  ADELE_ID,
  ADMIN,
  AGENT,
  ALEX_AGENT,
  ALEX_ID,
  MEGAN_ID,
  SUPERVISOR,
  adminApiForFile,
} from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, cli, auditCount, lastAudit } = api;

/** A workflow's history with its payloads decrypted (Temporal keeps them encrypted: src/temporal/payload-codec.ts). */
async function decodedHistory(workflowId: string) {
  const history = await api.client.workflow.getHandle(workflowId).fetchHistory();
  return decodeHistoryPayloads(history, api.services.codec);
}

/** The membership signals an agent's workflow received, in order. */
async function membershipSignals(agentId: string): Promise<string[]> {
  const history = await decodedHistory(agentWorkflowId(agentId));
  return (history.events ?? []).flatMap((e) => {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (!s || (s.signalName !== 'optIn' && s.signalName !== 'optOut')) return [];
    const arg = JSON.parse(Buffer.from(s.input!.payloads![0]!.data!).toString('utf8')) as { queue: string };
    return [`${s.signalName}:${arg.queue}`];
  });
}

describe('queues and memberships', () => {
  it('lists the queues of flows/ with their members, a page at a time', async () => {
    const all: { name: string; members: unknown[] }[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await call('GET', `/api/admin/queues?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
        token: await token(page ? SUPERVISOR : AGENT),
      });
      expect(res.status).toBe(200);
      expect(res.json.items).toHaveLength(1);
      all.push(...res.json.items);
      if (!res.json.nextCursor) break;
      cursor = res.json.nextCursor;
    }
    expect(all.map((q) => q.name)).toEqual(Object.keys(configuredQueues).sort());
    expect(all.find((q) => q.name === 'support')!.members).toEqual(
      // No agent workflow runs here, so whether each takes calls now is unknown (null).
      configuredQueues.support!.agents.map((agentId) => ({
        agentId,
        name: configuredAgents[agentId]!.name,
        configured: true,
        member: null,
      })),
    );
  });

  it("lets an agent opt out of and back in to their own queue, through the agent's workflow, audited", async () => {
    // Agent workflows as start-up makes them, on a task queue no worker polls: signals are kept in their history.
    for (const agentId of [ADELE_ID, ALEX_ID, MEGAN_ID]) {
      await api.client.workflow.start('agentWorkflow', {
        workflowId: agentWorkflowId(agentId),
        taskQueue: 'admin-test-no-worker',
        args: [{ agentId }],
      });
    }
    const t = await token(ALEX_AGENT);
    const out = await call('DELETE', `/api/admin/queues/support/members/${ALEX_ID}`, { token: t });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ queue: 'support', agentId: ALEX_ID, member: false, before: null });
    expect(await lastAudit()).toMatchObject({
      action: 'queueMembership.optOut',
      target: `queue:support/agent:${ALEX_ID}`,
      actor_id: ALEX_ID,
      before: { queue: 'support', agentId: ALEX_ID, member: null },
      after: { queue: 'support', agentId: ALEX_ID, member: false },
    });
    expect((await call('PUT', `/api/admin/queues/support/members/${ALEX_ID}`, { token: t })).status).toBe(200);
    expect(await membershipSignals(ALEX_ID)).toEqual(['optOut:support', 'optIn:support']);
  });

  it('lets an admin opt any agent in to any queue', async () => {
    const res = await call('PUT', `/api/admin/queues/support/members/${MEGAN_ID}`, { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(await membershipSignals(MEGAN_ID)).toEqual(['optIn:support']);
    expect(await lastAudit()).toMatchObject({
      action: 'queueMembership.optIn',
      actor_id: ADMIN.oid,
      after: { member: true },
    });
  });

  it("lets a supervisor opt an agent out of and back in to a queue that lists them, audited (as in Microsoft's Queues app)", async () => {
    const t = await token(SUPERVISOR);
    expect((await call('DELETE', `/api/admin/queues/sales/members/${MEGAN_ID}`, { token: t })).status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      action: 'queueMembership.optOut',
      target: `queue:sales/agent:${MEGAN_ID}`,
      actor_id: SUPERVISOR.oid,
      after: { queue: 'sales', agentId: MEGAN_ID, member: false },
    });
    expect((await call('PUT', `/api/admin/queues/sales/members/${MEGAN_ID}`, { token: t })).status).toBe(200);
    expect((await membershipSignals(MEGAN_ID)).slice(-2)).toEqual(['optOut:sales', 'optIn:sales']);
  });

  it('refuses an agent touching another agent, anyone but an admin joining an agent to an unlisted queue; nothing changes', async () => {
    const cases: [string, string, { oid: string; name: string; roles: string[] }, number][] = [
      ['DELETE', `/api/admin/queues/support/members/${ADELE_ID}`, ALEX_AGENT, 403],
      ['PUT', `/api/admin/queues/support/members/${ADELE_ID}`, ALEX_AGENT, 403],
      ['PUT', `/api/admin/queues/sales/members/${ALEX_ID}`, ALEX_AGENT, 403], // sales does not list Alex
      ['PUT', `/api/admin/queues/sales/members/${ALEX_ID}`, SUPERVISOR, 403], // sales does not list Alex
      ['PUT', `/api/admin/queues/nope/members/${ALEX_ID}`, ADMIN, 404],
      ['PUT', '/api/admin/queues/support/members/no-such-agent', ADMIN, 404],
    ];
    const signals = async () => [await membershipSignals(ADELE_ID), await membershipSignals(ALEX_ID)];
    const before = [await auditCount(), await signals()];
    for (const [method, url, who, status] of cases) {
      const res = await call(method, url, { token: await token(who) });
      expect([url, who.name, res.status]).toEqual([url, who.name, status]);
    }
    expect([await auditCount(), await signals()]).toEqual(before);
  });

  it('brings a paused agent back to available (supervisor or the agent), audited; refuses another agent and bad bodies', async () => {
    const availability = async (agentId: string) => {
      const history = await decodedHistory(agentWorkflowId(agentId));
      return (history.events ?? []).flatMap((e) => {
        const sig = e.workflowExecutionSignaledEventAttributes;
        if (sig?.signalName !== 'setAvailability') return [];
        return [(JSON.parse(Buffer.from(sig.input!.payloads![0]!.data!).toString('utf8')) as { state: string }).state];
      });
    };
    const res = await call('PUT', `/api/admin/agents/${ADELE_ID}/availability`, {
      token: await token(SUPERVISOR),
      body: { state: 'available' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ agentId: ADELE_ID, state: 'available', before: null });
    expect(await lastAudit()).toMatchObject({
      action: 'agent.availability',
      target: `agent:${ADELE_ID}`,
      actor_id: SUPERVISOR.oid,
      after: { state: 'available' },
    });
    expect(
      (
        await call('PUT', `/api/admin/agents/${ALEX_ID}/availability`, {
          token: await token(ALEX_AGENT),
          body: { state: 'away', reason: 'lunch' },
        })
      ).status,
    ).toBe(200);
    const before = [await auditCount(), await availability(ADELE_ID), await availability(ALEX_ID)];
    expect(before.slice(1)).toEqual([['available'], ['away']]);
    const refused: [string, { oid: string; name: string; roles: string[] }, unknown, number][] = [
      [ADELE_ID, ALEX_AGENT, { state: 'available' }, 403],
      [ADELE_ID, ADMIN, { state: 'onCall' }, 400],
      [ADELE_ID, ADMIN, { state: 'away', extra: 1 }, 400],
      ['no-such-agent', ADMIN, { state: 'available' }, 404],
    ];
    for (const [agentId, who, body, status] of refused) {
      const r = await call('PUT', `/api/admin/agents/${agentId}/availability`, { token: await token(who), body });
      expect([agentId, who.name, JSON.stringify(body), r.status]).toEqual([
        agentId,
        who.name,
        JSON.stringify(body),
        status,
      ]);
    }
    expect([await auditCount(), await availability(ADELE_ID), await availability(ALEX_ID)]).toEqual(before);
  });

  it('opts in and out from the CLI through the same API', async () => {
    const r = await cli(['queue', 'opt-out', 'sales', ADELE_ID], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ queue: 'sales', agentId: ADELE_ID, member: false });
    expect(await membershipSignals(ADELE_ID)).toEqual(['optOut:sales']);
    const refused = await cli(['queue', 'opt-in', 'sales', ADELE_ID], await token(ALEX_AGENT));
    expect([refused.code, refused.stderr]).toEqual([1, '403: agents may only change their own queue membership\n']);
  });
});
