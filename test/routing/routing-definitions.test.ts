import { describe, expect, it } from 'vitest';
import {
  QueueValidationError,
  validateQueues,
  type AgentDefinition,
  type QueueDefinition,
} from '../../src/routing/validate.js';
import { candidates } from '../../src/routing/select.js';
import { type AgentView } from '../../src/contracts/queue.js';
import { estimatedWaitSeconds } from '../../src/routing/ewt.js';
import { agents as flowAgents, queueDefinitions, queues } from '../../flows/index.js';
import { testQueue } from '../helpers/routing.js';
import { AgentState } from '../../workflows/agent/state.js';
import { QueueState } from '../../workflows/queue/state.js';
import { type QueuedCall } from '../../src/contracts/queue.js';

const agents: Record<string, AgentDefinition> = {
  a1: { name: 'Ann', skills: { english: 5, billing: 2 } },
  a2: { name: 'Bo', skills: { english: 3, billing: 4 } },
  a3: { name: 'Cy', skills: { french: 5 } },
};

function problems(defs: Record<string, QueueDefinition>): string[] {
  try {
    validateQueues(agents, defs);
  } catch (err) {
    expect(err).toBeInstanceOf(QueueValidationError);
    return (err as QueueValidationError).problems;
  }
  throw new Error('expected the definitions to be rejected');
}

describe('queue definitions', () => {
  it('validates the shipped flows and fills in defaults', () => {
    // The whole configuration of one shipped queue, written out: what it says and every default it leaves out.
    const adele = '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d';
    const alex = '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f';
    expect(validateQueues(flowAgents, queueDefinitions).support).toEqual({
      name: 'support',
      agents: [adele, alex],
      agentSkills: { [adele]: { english: 5, billing: 3 }, [alex]: { english: 4, french: 4 } },
      method: 'serial',
      requiredSkills: {},
      alertSeconds: 30,
      offerBy: 'ring',
      wrapUpSeconds: 10,
      reofferAfterSeconds: 30,
      missesBeforeAway: 3,
      maxCalls: 50,
      overflowAction: { type: 'queue', queue: 'sales' },
      maxWaitSeconds: 1200,
      timeoutAction: { type: 'voicemail', mailbox: 'support' },
      noAgentsAction: { type: 'disconnect' },
      presenceBased: true,
      offerToBusy: false,
      serviceLevelSeconds: 30,
      shortAbandonSeconds: 5,
      announceEverySeconds: 0,
      // issue 21: an answered ring must be confirmed with a key within 8 s (Teams' voicemail may answer it).
      confirm: 'key',
      confirmSeconds: 8,
    });
    expect(Object.keys(queues).sort()).toEqual(['billing', 'sales', 'support']);
    expect(queues.support).toMatchObject({ name: 'support', method: 'serial', alertSeconds: 30, presenceBased: true });
    expect(queues.sales!.agentSkills[queues.sales!.agents[1]!]).toMatchObject({ sales: 2, english: 5 });
  });

  it('rejects an unknown agent, naming the queue and the field', () => {
    expect(problems({ help: { agents: ['a1', 'nobody'] } })).toEqual(['queue help: agents[1]: unknown agent nobody']);
  });

  it('rejects an alert time outside 15–180 s', () => {
    expect(problems({ help: { agents: ['a1'], alertSeconds: 10 } })).toEqual([
      'queue help: alertSeconds: must be 15–180 s',
    ]);
    expect(problems({ help: { agents: ['a1'], alertSeconds: 181 } })).toEqual([
      'queue help: alertSeconds: must be 15–180 s',
    ]);
  });

  it('offers by ringing unless told otherwise, and rejects an attendant queue that would blind-transfer', () => {
    expect(validateQueues(agents, { help: { agents: ['a1'] } }).help).toMatchObject({ offerBy: 'ring' });
    expect(validateQueues(agents, { help: { agents: ['a1'], offerBy: 'transfer' } }).help).toMatchObject({
      offerBy: 'transfer',
    });
    expect(problems({ help: { agents: ['a1', 'a2'], method: 'attendant', offerBy: 'transfer' } })).toEqual([
      "queue help: offerBy: attendant rings several agents at once, which needs 'ring' (a blind transfer reaches one agent)",
    ]);
    expect(problems({ help: { agents: ['a1'], offerBy: 'page' as never } })[0]).toMatch(/^queue help: offerBy: /);
  });

  it('rejects a cycle of overflow queues', () => {
    const found = problems({
      a: { agents: ['a1'], overflowAction: { type: 'queue', queue: 'b' } },
      b: { agents: ['a2'], timeoutAction: { type: 'queue', queue: 'c' } },
      c: { agents: ['a3'], noAgentsAction: { type: 'queue', queue: 'a' } },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^queue a: .*cycle a → b → c → a$/);
  });

  it('rejects a skills rule no agent of the queue can meet', () => {
    expect(problems({ billing: { agents: ['a1', 'a3'], method: 'skills', requiredSkills: { billing: 3 } } })).toEqual([
      'queue billing: requiredSkills: no agent of this queue has billing ≥ 3',
    ]);
  });

  it('rejects a bad action and an unknown target queue', () => {
    const found = problems({
      a: {
        agents: ['a1'],
        timeoutAction: { type: 'transfer', phone: '555-1234' },
        overflowAction: { type: 'queue', queue: 'zz' },
      },
    });
    expect(found.some((p) => p.startsWith('queue a: timeoutAction'))).toBe(true);
    const unknown = problems({ a: { agents: ['a1'], overflowAction: { type: 'queue', queue: 'zz' } } });
    expect(unknown).toEqual(['queue a: overflowAction.queue: unknown queue zz']);
  });
});

describe('agent selection', () => {
  const view = (over: Record<string, Partial<AgentView>> = {}): Record<string, AgentView> =>
    Object.fromEntries(['a1', 'a2', 'a3'].map((id) => [id, { state: 'available', idleSince: 0, ...over[id] }]));
  const none = () => false;

  it('serial and attendant go in configured order; round robin resumes after the last offered', () => {
    const q = testQueue('q', ['a1', 'a2', 'a3'], { method: 'serial' });
    expect(candidates(q, view(), none, 0)).toEqual(['a1', 'a2', 'a3']);
    expect(candidates({ ...q, method: 'attendant' }, view({ a2: { state: 'onCall' } }), none, 0)).toEqual(['a1', 'a3']);
    expect(candidates({ ...q, method: 'roundRobin' }, view(), none, 0)).toEqual(['a2', 'a3', 'a1']);
    expect(candidates({ ...q, method: 'roundRobin' }, view(), none, 2)).toEqual(['a1', 'a2', 'a3']);
  });

  it('attendant rings at most 25 agents at once (Graph’s limit for simultaneous ring)', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `g${i + 1}`);
    const q = testQueue('big', ids, { method: 'attendant' });
    const all: Record<string, AgentView> = Object.fromEntries(
      ids.map((id) => [id, { state: 'available', idleSince: 0 }]),
    );
    expect(candidates(q, all, none, 0)).toEqual(ids.slice(0, 25));
    // Busy ones are skipped, and the next free ones fill the group.
    expect(candidates(q, { ...all, g1: { state: 'onCall', idleSince: 0 } }, none, 0)).toEqual(ids.slice(1, 26));
  });

  it('longest idle picks the agent available the longest', () => {
    const q = testQueue('q', ['a1', 'a2', 'a3'], { method: 'longestIdle' });
    expect(
      candidates(q, view({ a1: { idleSince: 300 }, a2: { idleSince: 100 }, a3: { idleSince: 200 } }), none, -1),
    ).toEqual(['a2', 'a3', 'a1']);
  });

  it('skills keeps agents who meet the rule, best level first', () => {
    const q = testQueue('q', ['a1', 'a2', 'a3'], {
      method: 'skills',
      requiredSkills: { billing: 2 },
      agentSkills: { a1: { billing: 2 }, a2: { billing: 4 }, a3: { french: 5 } },
    });
    expect(candidates(q, view(), none, -1)).toEqual(['a2', 'a1']);
  });

  it('presence-based routing offers only Available agents, Busy ones when asked, and skips missed agents', () => {
    const q = testQueue('q', ['a1', 'a2', 'a3'], { method: 'serial', presenceBased: true });
    const v = view({
      a1: { presence: { availability: 'Busy', activity: 'InACall' } },
      a2: { presence: { availability: 'Away', activity: 'Away' } },
    });
    expect(candidates(q, v, none, -1)).toEqual(['a3']);
    expect(candidates({ ...q, offerToBusy: true }, v, none, -1)).toEqual(['a1', 'a3']);
    expect(candidates({ ...q, presenceBased: false }, v, (id) => id === 'a3', -1)).toEqual(['a1', 'a2']);
  });
});

describe('estimated wait', () => {
  it('grows with position and shrinks with staffed agents, from recent handle times', () => {
    expect(estimatedWaitSeconds(1, 2, [60, 120])).toBe(90);
    expect(estimatedWaitSeconds(3, 2, [60, 120])).toBe(180);
    expect(estimatedWaitSeconds(3, 1, [60, 120])).toBe(270);
    expect(estimatedWaitSeconds(2, 0, [])).toBe(360);
  });
});

describe('agent reservations', () => {
  const reserved = (leaseSeconds?: number) => {
    const a = new AgentState('a1', 'a1:run', 20_000, undefined, 0);
    a.setQueues(() => (a.s.configured = ['q']), 0);
    a.reserve(
      {
        reservationId: 'r1',
        queue: 'q',
        callWorkflowId: 'call-x',
        callId: 'x',
        ...(leaseSeconds ? { leaseSeconds } : {}),
      },
      1000,
    );
    return a;
  };

  it('a reservation whose outcome never comes frees the agent when its lease ends, and only then', () => {
    const a = reserved(330);
    expect(a.nextTimer(1000)).toBe(330_000);
    a.tick(330_999);
    expect(a.s.state).toBe('reserved');
    a.tick(331_000);
    expect(a.s).toMatchObject({ state: 'available', since: 331_000 });
    expect(a.s.reservation).toBeUndefined();
    expect(a.pending.at(-1)).toMatchObject({ state: 'available', reason: 'reservationExpired' });
    // The outcome arriving late changes nothing: the reservation is gone.
    a.offerOutcome({ reservationId: 'r1', outcome: 'connected', wrapUpSeconds: 0, missesBeforeAway: 3 }, 400_000);
    expect(a.s.state).toBe('available');
  });

  it('refuses a reserve request repeated after its offer is over, and accepts a retry while it holds', () => {
    const a = reserved(330);
    const again = { reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' };
    expect(a.rejectReservation(again)).toBeUndefined(); // the same request retried while it holds
    a.offerOutcome({ reservationId: 'r1', outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 3 }, 2000);
    expect(a.s.state).toBe('available');
    expect(a.rejectReservation(again)).toBe('reservation r1 already ended');
    expect(a.rejectReservation({ ...again, reservationId: 'r2' })).toBeUndefined();
  });

  it('a reservation from before leases (none given) holds until its outcome', () => {
    const a = reserved();
    expect(a.nextTimer(1000)).toBeUndefined();
    a.tick(10_000_000);
    expect(a.s.state).toBe('reserved');
    a.offerOutcome({ reservationId: 'r1', outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 3 }, 10_000_001);
    expect(a.s.state).toBe('available');
  });
});

describe('reservations by signal', () => {
  it('a release that overtakes its reservation request makes the agent refuse the request when it comes', () => {
    const a = new AgentState('a1', 'a1:run', 20_000, undefined, 0);
    a.setQueues(() => (a.s.configured = ['q']), 0);
    const request = { reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' };
    a.offerOutcome({ reservationId: 'r1', outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 3 }, 1000);
    expect(a.s.state).toBe('available');
    expect(a.rejectReservation(request)).toBe('reservation r1 already ended');
    // The queue is told the agent's real state, so it doesn't go on thinking them reserved.
    expect(a.refusedAs(request)).toBe('available');
    expect(a.refusedAs({ ...request, queue: 'other' })).toBe('signedOut');
  });

  it('the queue that reserved the agent is not told again; their other queues are, and all hear when the offer ends', () => {
    const a = new AgentState('a1', 'a1:run', 20_000, undefined, 0);
    a.setQueues(() => (a.s.configured = ['q', 'other']), 0);
    a.publication();
    a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, 1000);
    expect(a.publication().queues).toEqual([{ queue: 'other', member: true }]);
    a.offerOutcome({ reservationId: 'r1', outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 3 }, 2000);
    expect(a.publication()).toMatchObject({
      live: { state: 'available' },
      queues: [
        { queue: 'other', member: true },
        { queue: 'q', member: true },
      ],
    });
  });

  const queueWithOffer = () => {
    const q = new QueueState(testQueue('q', ['a1', 'a2']));
    q.agentStatus({ agentId: 'a1', state: 'available', idleSince: 0, since: 0, member: true });
    for (const [i, id] of ['call-1', 'call-2', 'call-3'].entries())
      q.enqueue({ callWorkflowId: id, callId: id, enqueuedAt: 1000 + i });
    const call = q.ordered()[1]!;
    q.reserved(call, 'a1', 'r1', undefined, q.s.agents.a1!.version);
    return q;
  };

  it('a refused reservation puts the call back in its place and takes the agent at their word', () => {
    const q = queueWithOffer();
    expect(q.s.agents.a1!.state).toBe('reserved');
    expect(q.isWaiting('call-2')).toBe(false);
    expect(
      q.reservationRefused({
        reservationId: 'r1',
        callWorkflowId: 'call-2',
        agentId: 'a1',
        reason: 'agent a1 is away',
        state: 'away',
      }),
    ).toBe(true);
    expect(q.ordered().map((c) => c.callWorkflowId)).toEqual(['call-1', 'call-2', 'call-3']);
    expect(q.s.offers['call-2']).toBeUndefined();
    expect(q.s.agents.a1!.state).toBe('away');
    // A repeat of the same refusal changes nothing.
    expect(
      q.reservationRefused({
        reservationId: 'r1',
        callWorkflowId: 'call-2',
        agentId: 'a1',
        reason: 'again',
        state: 'available',
      }),
    ).toBe(false);
    expect(q.s.agents.a1!.state).toBe('away');
  });

  it('a status fresher than the pick wins over the refusal', () => {
    const q = queueWithOffer();
    q.agentStatus({ agentId: 'a1', state: 'onCall', idleSince: 0, member: true });
    q.reservationRefused({
      reservationId: 'r1',
      callWorkflowId: 'call-2',
      agentId: 'a1',
      reason: 'agent a1 is away',
      state: 'away',
    });
    expect(q.s.agents.a1!.state).toBe('onCall');
  });

  it('an agent who finds the call gone frees themself, and the queue drops the call', () => {
    const q = queueWithOffer();
    expect(
      q.reservationRefused({
        reservationId: 'r1',
        callWorkflowId: 'call-2',
        agentId: 'a1',
        reason: 'call gone',
        callGone: true,
      }),
    ).toBe(true);
    expect(q.s.offers['call-2']).toBeUndefined();
    expect(q.isWaiting('call-2')).toBe(false);
    expect(q.ordered().map((c) => c.callWorkflowId)).toEqual(['call-1', 'call-3']);
  });

  it('round robin: an agent who refuses a reservation keeps their turn, unless a later reservation moved it on', () => {
    const q = new QueueState(testQueue('q-rr', ['a1', 'a2', 'a3'], { method: 'roundRobin' }));
    q.refusalKeepsTurn = true;
    for (const id of ['a1', 'a2', 'a3'])
      q.agentStatus({ agentId: id, state: 'available', idleSince: 0, since: 0, member: true });
    for (const [i, id] of ['call-1', 'call-2'].entries())
      q.enqueue({ callWorkflowId: id, callId: id, enqueuedAt: 1000 + i });
    const [first, second] = q.ordered() as [QueuedCall, QueuedCall];
    // a1 had the last call: a2's turn. a2 is reserved for the first call and refuses (taken by another queue).
    q.s.lastOffered = 0;
    expect(q.candidatesFor(first, 2000)[0]).toBe('a2');
    q.reserved(first, 'a2', 'r1', undefined, q.s.agents.a2!.version);
    q.reservationRefused({
      reservationId: 'r1',
      callWorkflowId: 'call-1',
      agentId: 'a2',
      reason: 'agent a2 is reserved',
      state: 'available',
    });
    // Free again: a2 is still next, not a3.
    expect(q.candidatesFor(first, 2000)[0]).toBe('a2');

    // Two reservations sent together; the first agent refuses after the second moved the turn on: it stays moved.
    q.reserved(first, 'a2', 'r2', undefined, q.s.agents.a2!.version);
    q.reserved(second, 'a3', 'r3', undefined, q.s.agents.a3!.version);
    q.reservationRefused({
      reservationId: 'r2',
      callWorkflowId: 'call-1',
      agentId: 'a2',
      reason: 'agent a2 is away',
      state: 'available',
    });
    expect(q.s.lastOffered).toBe(2);

    // Runs started before the change: the refusal loses the turn, as it did.
    const old = new QueueState(testQueue('q-rr', ['a1', 'a2', 'a3'], { method: 'roundRobin' }));
    for (const id of ['a1', 'a2', 'a3'])
      old.agentStatus({ agentId: id, state: 'available', idleSince: 0, since: 0, member: true });
    old.enqueue({ callWorkflowId: 'call-1', callId: 'call-1', enqueuedAt: 1000 });
    old.s.lastOffered = 0;
    old.reserved(old.ordered()[0]!, 'a2', 'r1', undefined, old.s.agents.a2!.version);
    old.reservationRefused({
      reservationId: 'r1',
      callWorkflowId: 'call-1',
      agentId: 'a2',
      reason: 'agent a2 is reserved',
      state: 'available',
    });
    expect(old.candidatesFor(old.ordered()[0]!, 2000)[0]).toBe('a3');
  });

  it('a refusal for a call that left meanwhile still undoes the reserved mark the pick made', () => {
    const q = queueWithOffer();
    expect(q.leave('call-2')?.reservationId).toBe('r1');
    expect(
      q.reservationRefused({
        reservationId: 'r1',
        callWorkflowId: 'call-2',
        agentId: 'a1',
        reason: 'reservation r1 already ended',
        state: 'available',
      }),
    ).toBe(false);
    expect(q.s.agents.a1!.state).toBe('available');
  });
});
