import type pg from 'pg';
import { at, type CallRow } from './fixture-call.js';
import { SALES_TIME_ZONE, SITE_TIME_ZONE, zoneCalls } from './fixture-zones.js';

/**
 * A deterministic dataset whose metrics are known in advance (docs/metrics.md, "Known-answer dataset"), on
 * 2026-11-20 UTC. Every number in EXPECTED (fixture-expected.ts) follows from the design below by hand arithmetic:
 *
 * sales: threshold 20 s until 10:15 UTC, then 45 s (queue_setting_history: past intervals keep the threshold they
 *   were graded against). 40 answered (30 waited 10 s, 10 waited 40 s), 10 abandoned after 30 s. The ten 40 s
 *   waits are s2's calls 11–20 (s2's call i, from 0, is queued at 09:00 + i × 305 s + 55 s); those queued from 10:15
 *   (i × 305 + 55 ≥ 4,500 → i = 15…19: five calls) are within 45 s, so 30 + 5 = 35 answered within the threshold.
 * support (queue_setting 30 s): 24 answered (18 waited 25 s, 6 waited 60 s), 8 abandoned after 45 s,
 *   8 became callbacks after 50 s on hold (outcome 'callback'): 5 completed (600 s after the request, in 1, 2, 1, 3
 *   and 1 attempts), 2 failed (3 attempts), 1 requested. A completed callback is answered (its wait: the 50 s on hold,
 *   over the 30 s threshold), so support answered 24 + 5 = 29, 18 of them within the threshold.
 * Overflow chains: 3 calls queue in support at 11:00, 11:05, 11:10, are sent on to sales after 5 s (overflow), and
 *   hang up after 20 s there: each is a segment of support (queued, flowed out: not answered, not abandoned) and an
 *   abandoned call of sales; the caller waited 25 s in all. 1 call times out in sales after 120 s (queued, a flow-out).
 *   2 more sales callers hang up 3 s after queueing (11:40, 11:45): short abandons (under 5 s), queued but not
 *   abandoned. 1 more sales caller times out after 90 s (11:50) and hangs up during the flow's fallback: outcome
 *   `disconnected`, a flow-out (timed out), not an abandon (issue 27, point 2). So sales: 57 queued, 13 abandoned,
 *   2 short abandons, SL2 35/53, abandonment 13/57, 2 timed out; support: 43 queued, abandonment 8/43; longest wait
 *   120 s.
 * Service level by each queue's formula (metrics.queue_service_level): sales uses 'abandons_within_met'. Its 10
 *   abandons were queued 09:01–10:04 (threshold 20 s) and waited 30 s: over; the 3 chain callers were queued in sales
 *   at 11:00–11:10 (threshold 45 s) and hung up after 20 s: within. So (35 + 3) ÷ (40 + 13) = 38/53 (SL2 would say
 *   35/53, 'late_abandons' 35/50). Support keeps the default 'answered_abandoned': 18 ÷ (29 + 8) = 18/37 (its 8
 *   abandons waited 45 s, over 30 s, so every formula but SL1's gives 18/37). Offered, the Teams Queues app's
 *   denominator (queued less short abandons and overflow exits): sales 57 − 2 = 55, support 40 (its 3 overflow
 *   segments are not offered).
 * Repeat callers: the 3 overflow-chain callers are the first three sales callers who abandoned at 09:01, 09:08 and
 *   09:15 (arrived 8 s before), calling again about two hours later. So of sales' 57 calls 3 were followed by another
 *   from the same number within 24 h (and 7 days): 3/57; support 0 of 40; the 4 after-hours calls (no queue) 0 of 4.
 * 4 after-hours calls never queued, each leaving a message with no queue (as after-hours voicemail does): two on the
 *   line +14255550100 (recorded; one handled), one empty and one failed on +14255550200.
 *
 * Agents: s1, s2 take 20 sales calls each (talk 180 s, wrap-up 30 s); t1, t2 take 12 support calls each (talk 300 s,
 * wrap-up 60 s). Before each call: available `idle` s, then reserved 5 s. s1 also misses 2 offers (available 60 s,
 * reserved 15 s, back to available with reason missedOffer: the agent did not answer) before its first two calls. t1
 * is first rung in an attendant ring another member answers (available 30 s, reserved 10 s, back to available with
 * reason offerCancelled): not a missed offer. Each agent signs out after its last wrap-up.
 *
 * Clocks (fixture-zones.ts, where their figures are worked out): the site is in India (Asia/Kolkata, UTC+05:30) and
 * sales keeps New York's clock, with seven sales calls on New York's 25-hour fall-back day (2026-11-01) and two support
 * calls either side of India's midnight before the fixture day. All nine lie outside 2026-11-20 UTC, so the figures
 * above hold for the day; "today", the interval report and $zone read the configured zones.
 */
export { EXPECTED } from './fixture-expected.js';

export const FIXTURE_DAY = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };
export const FIXTURE_NOW = new Date('2026-11-20T12:00:00Z');

const AGENTS = [
  {
    id: 's1',
    queue: 'sales',
    calls: 20,
    idle: 60,
    talk: 180,
    wrap: 30,
    missed: 2,
    rungOut: 0,
    start: '2026-11-20T09:00:00Z',
  },
  {
    id: 's2',
    queue: 'sales',
    calls: 20,
    idle: 90,
    talk: 180,
    wrap: 30,
    missed: 0,
    rungOut: 0,
    start: '2026-11-20T09:00:00Z',
  },
  {
    id: 't1',
    queue: 'support',
    calls: 12,
    idle: 40,
    talk: 300,
    wrap: 60,
    missed: 0,
    rungOut: 1,
    start: '2026-11-20T09:00:00Z',
  },
  {
    id: 't2',
    queue: 'support',
    calls: 12,
    idle: 120,
    talk: 300,
    wrap: 60,
    missed: 0,
    rungOut: 0,
    start: '2026-11-20T09:00:00Z',
  },
] as const;

// Waits of the answered calls, in the order each queue's agents take them (agent by agent).
const SALES_WAITS = [...Array<number>(30).fill(10), ...Array<number>(10).fill(40)];
const SUPPORT_WAITS = [...Array<number>(18).fill(25), ...Array<number>(6).fill(60)];

/** The sales threshold's change (queue_setting_history). */
export const SALES_THRESHOLD_CHANGE = new Date('2026-11-20T10:15:00Z');

/** key, agent, state, reason, queue, call, at */
type StateRow = [string, string, string, string | null, string | null, string | null, Date];

export function fixtureRows(): {
  calls: CallRow[];
  states: StateRow[];
} {
  const calls: CallRow[] = [];
  const states: StateRow[] = [];
  let n = 0;
  const callId = () => `fx-${String(++n).padStart(3, '0')}`;
  const waits = { sales: [...SALES_WAITS], support: [...SUPPORT_WAITS] };
  for (const a of AGENTS) {
    let t = new Date(a.start);
    let k = 0;
    let reason: string | null = 'signIn';
    const state = (s: string, call: string | null, seconds: number) => {
      states.push([`${a.id}-${++k}`, a.id, s, reason, a.queue, call, t]);
      reason = null;
      t = at(t, seconds);
    };
    for (let i = 0; i < a.missed; i++) {
      state('available', null, 60);
      state('reserved', null, 15);
      reason = 'missedOffer';
    }
    for (let i = 0; i < a.rungOut; i++) {
      state('available', null, 30);
      state('reserved', null, 10);
      reason = 'offerCancelled';
    }
    for (let i = 0; i < a.calls; i++) {
      const id = callId();
      state('available', null, a.idle);
      state('reserved', id, 5);
      const connected = t;
      const wait = waits[a.queue].shift()!;
      const queued = at(connected, -wait);
      state('onCall', id, a.talk);
      state('wrapUp', id, a.wrap);
      calls.push({
        id,
        line: '+14255550000',
        queue: a.queue,
        from: `+1425555${String(n).padStart(4, '0')}`,
        name: `Caller ${n}`,
        outcome: 'connected',
        arrived: at(queued, -8),
        queued,
        connected,
        ended: connected,
        wait,
        agent: a.id,
      });
    }
    state('signedOut', null, 0);
  }
  const abandon = (queue: string, count: number, wait: number, startMinute: number, outcome = 'abandoned') => {
    for (let i = 0; i < count; i++) {
      const queued = new Date(Date.UTC(2026, 10, 20, 9, startMinute + i * 7, 0));
      const id = callId();
      calls.push({
        id,
        line: '+14255550000',
        queue,
        from: `+1425555${String(n).padStart(4, '0')}`,
        name: `Caller ${n}`,
        outcome,
        arrived: at(queued, -8),
        queued,
        connected: null,
        ended: at(queued, wait),
        wait,
        agent: null,
      });
    }
  };
  abandon('sales', 10, 30, 1);
  // The first three sales callers who gave up call again at 11:00, 11:05 and 11:10 (the overflow chains below).
  const callingAgain = calls.filter((c) => c.queue === 'sales' && c.outcome === 'abandoned').map((c) => c.from);
  abandon('support', 8, 45, 2);
  abandon('support', 8, 50, 3, 'callback'); // these eight become callbacks
  for (let i = 0; i < 4; i++) {
    const arrived = new Date(Date.UTC(2026, 10, 20, 20, i * 10, 0));
    const id = callId();
    calls.push({
      id,
      line: i < 2 ? '+14255550100' : '+14255550200',
      queue: null,
      from: `+1425555${String(n).padStart(4, '0')}`,
      name: `Caller ${n}`,
      outcome: 'disconnected',
      arrived,
      queued: null,
      connected: null,
      ended: at(arrived, 40),
      wait: null,
      agent: null,
    });
  }
  // Overflow chains: support was full, so after 5 s there each caller was sent on to sales (the queue's overflow
  // action), where they hung up after 20 s more. The CDR keeps the last queue; the timeline has the first.
  for (let i = 0; i < 3; i++) {
    const arrived = new Date(Date.UTC(2026, 10, 20, 11, i * 5, 0));
    const inSupport = at(arrived, 8);
    const inSales = at(inSupport, 5);
    const id = callId();
    calls.push({
      id,
      line: '+14255550000',
      queue: 'sales',
      from: callingAgain[i]!,
      name: `Caller ${n}`,
      outcome: 'abandoned',
      arrived,
      queued: inSales,
      connected: null,
      ended: at(inSales, 20),
      wait: 20,
      agent: null,
      path: [
        ['queued', inSupport, { queue: 'support', requeue: false }],
        [
          'queueExit',
          inSales,
          { queue: 'support', reason: 'overflow', action: { type: 'queue', queue: 'sales' }, waitSeconds: 5 },
        ],
        ['queued', inSales, { queue: 'sales', requeue: false }],
        ['abandoned', at(inSales, 20), { waitSeconds: 20 }],
      ],
    });
  }
  // Two short abandons in sales: hung up 3 s after queueing (under the 5 s default).
  for (let i = 0; i < 2; i++) {
    const arrived = new Date(Date.UTC(2026, 10, 20, 11, 40 + i * 5, 0));
    const queued = at(arrived, 8);
    const id = callId();
    calls.push({
      id,
      line: '+14255550000',
      queue: 'sales',
      from: `+1425555${String(n).padStart(4, '0')}`,
      name: `Caller ${n}`,
      outcome: 'abandoned',
      arrived,
      queued,
      connected: null,
      ended: at(queued, 3),
      wait: 3,
      agent: null,
    });
  }
  // Timed out in sales after 120 s (11:30): the queue's closing message, then the call ends (a flow-out, not an
  // abandon). Timed out after 90 s (11:50), then hung up during the flow's fallback (its music before the
  // voicemail): no longer waiting in the queue, so `disconnected` (workflows/flow/hung-up.ts), a flow-out too.
  const timedOut = [
    { minute: 30, wait: 120, end: 125, outcome: 'queueDisconnected', action: { type: 'disconnect' } },
    { minute: 50, wait: 90, end: 102, outcome: 'disconnected', action: { type: 'voicemail', mailbox: 'sales' } },
  ];
  for (const t of timedOut) {
    const arrived = new Date(Date.UTC(2026, 10, 20, 11, t.minute, 0));
    const queued = at(arrived, 8);
    const id = callId();
    calls.push({
      id,
      line: '+14255550000',
      queue: 'sales',
      from: `+1425555${String(n).padStart(4, '0')}`,
      name: `Caller ${n}`,
      outcome: t.outcome,
      arrived,
      queued,
      connected: null,
      ended: at(queued, t.end),
      wait: t.wait,
      agent: null,
      path: [
        ['queued', queued, { queue: 'sales', requeue: false }],
        ['queueExit', at(queued, t.wait), { queue: 'sales', reason: 'timeout', action: t.action, waitSeconds: t.wait }],
      ],
    });
  }
  // The clocks' cases (fixture-zones.ts), last so that every id and number above stays as it is.
  calls.push(
    ...zoneCalls(() => {
      const id = callId();
      return { id, n };
    }),
  );
  return { calls, states };
}

/** Writes the dataset (and the live tables, as of FIXTURE_NOW) into an empty, migrated database. */
export async function writeFixture(client: pg.ClientBase): Promise<void> {
  const { calls, states } = fixtureRows();
  // The sales threshold's history first: queue_setting's trigger then finds its current value there and adds none.
  await client.query(
    `insert into queue_setting_history (queue, sl_threshold_seconds, valid_from)
     values ('sales', 20, '-infinity'), ('sales', 45, $1)`,
    [SALES_THRESHOLD_CHANGE],
  );
  await client.query(`insert into queue_setting (queue, sl_threshold_seconds) values ('support', 30), ('sales', 45)`);
  // Sales is judged by ICMI's "abandons within the threshold met" service level; support keeps the default (SL2).
  // Sales keeps New York's clock; support has none of its own, so the site's (India's).
  await client.query(
    `update queue_setting set sl_formula = 'abandons_within_met', time_zone = $1 where queue = 'sales'`,
    [SALES_TIME_ZONE],
  );
  await client.query(`update site_setting set time_zone = $1`, [SITE_TIME_ZONE]);
  for (const c of calls) {
    await client.query(
      `insert into call (id, workflow_id, from_kind, from_id, from_name, to_id, queue, agent_id, outcome, wait_seconds,
         arrived_at, answered_at, queued_at, offered_at, connected_at, ended_at, updated_at)
       values ($1::varchar, 'call-' || $1::varchar, 'phone', $2, $3, $12, $4, $5, $6, $7, $8, $8, $9, $9, $10, $11, $11)`,
      [c.id, c.from, c.name, c.queue, c.agent, c.outcome, c.wait, c.arrived, c.queued, c.connected, c.ended, c.line],
    );
    const path = c.path ?? [];
    await client.query(
      `insert into call_event (call_id, seq, type, at, payload)
       select $1, e.seq, e.type, e.at, e.payload
       from jsonb_to_recordset($2::jsonb) as e(seq int, type varchar, at timestamptz, payload jsonb)`,
      [
        c.id,
        JSON.stringify([
          { seq: 1, type: 'incoming', at: c.arrived, payload: { from: c.from } },
          ...path.map(([type, when, payload], i) => ({ seq: i + 2, type, at: when, payload })),
          { seq: path.length + 2, type: 'ended', at: c.ended, payload: null },
        ]),
      ],
    );
  }
  for (const s of states) {
    await client.query(
      `insert into agent_state_change (key, agent_id, state, reason, queue, call_id, at) values ($1, $2, $3, $4, $5, $6, $7)`,
      s,
    );
  }
  const callbackCalls = calls.filter((c) => c.outcome === 'callback');
  const statuses = ['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'failed', 'requested'];
  const attempts = [1, 2, 1, 3, 1, 3, 3, 0];
  for (const [i, c] of callbackCalls.entries()) {
    await client.query(
      `insert into callback (call_id, queue, number, status, attempts, requested_at, completed_at) values ($1, 'support', $2, $3, $4, $5, $6)`,
      [c.id, c.from, statuses[i], attempts[i], c.ended, statuses[i] === 'completed' ? at(c.ended, 600) : null],
    );
  }
  const after = calls.filter((c) => c.queue === null);
  for (const [i, c] of after.entries()) {
    await client.query(
      `insert into voicemail (call_id, queue, box, status, from_id, from_name, recorded_at, duration_seconds, recording_url, handled_at)
       values ($1, null, 'main', $2, $3, $4, $5, $6, $7, $8)`,
      [
        c.id,
        ['recorded', 'recorded', 'empty', 'failed'][i],
        c.from,
        c.name,
        at(c.arrived, 15),
        i < 2 ? 20 : 0,
        i < 2 ? `https://recordings.example/voicemail/${c.id}.wav` : null,
        i === 0 ? at(c.arrived, 3600) : null,
      ],
    );
  }
  await client.query(
    `insert into queue_live (queue, calls_waiting, oldest_waiting_since, agents_available, agents_on_call, agents_wrap_up, agents_away, updated_at)
     values ('sales', 3, $1, 1, 1, 0, 0, $2), ('support', 1, $3, 1, 0, 1, 1, $2)`,
    [at(FIXTURE_NOW, -95), FIXTURE_NOW, at(FIXTURE_NOW, -60)],
  );
  await client.query(
    `insert into agent_live (agent_id, state, since, updated_at) values
       ('s1', 'available', $1, $1), ('s2', 'onCall', $1, $1), ('t1', 'available', $1, $1), ('t2', 'wrapUp', $1, $1), ('x1', 'away', $1, $1)`,
    [FIXTURE_NOW],
  );
}
