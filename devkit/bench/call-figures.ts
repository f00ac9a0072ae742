/**
 * What the calls phase measured, read afterwards from the emulator's call logs, Postgres (the CDRs and agents' state
 * changes) and the queue workflows' histories: answer and offer times, the slowest offers, the queue's runs and lost
 * continue-as-new races, the most calls in progress and waiting at once, and the outcomes.
 */
import proto from '@temporalio/proto';
import type { BenchStack } from './bench-stack.js';
import { round } from './figures.js';

export interface CallFigures {
  /** Incoming notification → the answer request, per call (ms). */
  answerMs: number[];
  /** Agent free (or the call queued, whichever is later) → the offer, per offered call (ms). */
  offerMs: number[];
  /** Per connected call: from its (last) offer to the caller being put through. */
  connectMs: number[];
  /** Per confirmed ring: from the check of the answered ring (agentConfirming) to the agent's key (agentConfirmed). */
  confirmMs: number[];
  /** The slowest 1% of offers (at least 3), when they were made (s into the calls phase). */
  offerTail: { at_s: number; ms: number }[];
  /** When each run of a queue workflow started (s into the calls phase). */
  queueRunsAt: number[];
  /** When a continue-as-new lost a race with a signal (s into the calls phase). */
  queueRaces: number[];
  maxConcurrent: number;
  maxWaiting: number;
  outcomes: Record<string, number>;
}

type When = Date | string;

/** The most intervals open at once, from +1/-1 events (an end sorts before a start at the same instant). */
function mostAtOnce(events: [number, number][]): number {
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (open += d));
  return most;
}

export async function callFigures(
  stack: BenchStack,
  callIds: string[],
  started: number,
  finished: number,
): Promise<CallFigures> {
  const knex = stack.orm.em.getKnex();
  // The driver may hand timestamps back as strings or Dates.
  const calls = (await knex('call').whereIn('id', callIds).select('*')) as {
    arrived_at: When;
    queued_at: When | null;
    offered_at: When | null;
    connected_at: When | null;
    ended_at: When | null;
    outcome: string | null;
  }[];
  const answerMs: number[] = [];
  for (const id of callIds) {
    const history = stack.emulator.getCall(id)?.history ?? [];
    const incoming = history.find((h) => h.kind === 'notification' && h.changeType === 'created');
    const answer = history.find((h) => h.kind === 'request' && 'path' in h && String(h.path).endsWith('/answer'));
    if (incoming && answer) answerMs.push(Date.parse(answer.at) - Date.parse(incoming.at));
  }
  // Agent free → offer: from the later of the call entering the queue and the agent becoming available.
  const offers = await knex.raw(
    `
    select extract(epoch from (c.offered_at - greatest(c.queued_at, coalesce(a.at, c.queued_at)))) * 1000 as ms,
      c.offered_at as offered_at
    from call c
    left join lateral (
      select at from agent_state_change s
      where s.agent_id = c.agent_id and s.state = 'available' and s.at <= c.offered_at
      order by at desc limit 1
    ) a on true
    where c.id = any(?) and c.offered_at is not null`,
    [callIds],
  );
  const offerRows = offers.rows as { ms: string; offered_at: When }[];
  const offerMs = offerRows.map((r) => Math.max(0, Number(r.ms)));
  // The slowest 1% of offers, when they were made, next to when the queue continued as new: to see whether the tail
  // comes in clusters, and from what.
  const offerTail = offerRows
    .map((r) => ({ at_s: round((new Date(r.offered_at).getTime() - started) / 1000), ms: Math.round(Number(r.ms)) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Math.max(3, Math.ceil(offerMs.length / 100)));
  const queueRunsAt: number[] = [];
  // Continue-as-new that a signal overtook: the server fails that workflow task (unhandled command), the worker
  // replays the run, and the queue's signals are turned away until it is through.
  const queueRaces: number[] = [];
  for await (const run of stack.client.workflow.list({ query: `WorkflowType = 'queueWorkflow'` })) {
    if (run.startTime.getTime() >= started) queueRunsAt.push(round((run.startTime.getTime() - started) / 1000));
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const failed = e.workflowTaskFailedEventAttributes;
      const at = Number(e.eventTime?.seconds ?? 0) * 1000;
      if (
        failed?.cause ===
          proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND &&
        at >= started
      )
        queueRaces.push(round((at - started) / 1000));
    }
  }
  const maxConcurrent = mostAtOnce(
    calls.flatMap((c): [number, number][] => [
      [new Date(c.arrived_at).getTime(), 1],
      [(c.ended_at ? new Date(c.ended_at) : new Date(finished)).getTime(), -1],
    ]),
  );
  // Callers waiting in the queue at once: from entering the queue to the (last) offer, or the end of the call.
  const maxWaiting = mostAtOnce(
    calls
      .filter((c) => c.queued_at)
      .flatMap((c): [number, number][] => [
        [new Date(c.queued_at!).getTime(), 1],
        [new Date(c.offered_at ?? c.ended_at ?? finished).getTime(), -1],
      ]),
  );
  const outcomes: Record<string, number> = {};
  for (const c of calls) outcomes[c.outcome ?? 'none'] = (outcomes[c.outcome ?? 'none'] ?? 0) + 1;
  const connectMs = calls
    .filter((c) => c.offered_at && c.connected_at)
    .map((c) => new Date(c.connected_at!).getTime() - new Date(c.offered_at!).getTime());
  // The confirm step on its own, from the call's timeline: what the whisper and the key add once a ring is answered.
  const confirms = await knex.raw(
    `
    select extract(epoch from (done.at - began.at)) * 1000 as ms
    from call_event began
    join call_event done on done.call_id = began.call_id and done.type = 'agentConfirmed'
      and done.payload->>'ringCallId' = began.payload->>'ringCallId'
    where began.type = 'agentConfirming' and began.call_id = any(?)`,
    [callIds],
  );
  const confirmMs = (confirms.rows as { ms: string }[]).map((r) => Number(r.ms));
  return {
    answerMs,
    offerMs,
    connectMs,
    confirmMs,
    offerTail,
    queueRunsAt,
    queueRaces,
    maxConcurrent,
    maxWaiting,
    outcomes,
  };
}
