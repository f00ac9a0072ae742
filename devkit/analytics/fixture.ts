import type pg from 'pg';

/**
 * A deterministic dataset whose metrics are known in advance (docs/metrics.md, "Known-answer dataset"), on
 * 2026-11-20 UTC. Every number in EXPECTED follows from the design below by hand arithmetic:
 *
 * sales (no queue_setting row → 20 s threshold): 40 answered (30 waited 10 s, 10 waited 40 s), 10 abandoned after 30 s.
 * support (queue_setting 30 s): 24 answered (18 waited 25 s, 6 waited 60 s), 8 abandoned after 45 s,
 *   8 became callbacks (5 completed, 2 failed, 1 requested) — recorded as outcome 'abandoned' on purpose: the
 *   callback row is what takes them out of abandonment.
 * 4 after-hours calls never queued, each leaving a voicemail on support (1 handled).
 *
 * Agents: s1, s2 take 20 sales calls each (talk 180 s, wrap-up 30 s); t1, t2 take 12 support calls each (talk 300 s,
 * wrap-up 60 s). Before each call: available `idle` s, then reserved 5 s. s1 also misses 2 offers (available 60 s,
 * reserved 15 s, back to available) before its first two calls. Each agent signs out after its last wrap-up.
 */
export const FIXTURE_DAY = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };
export const FIXTURE_NOW = new Date('2026-11-20T12:00:00Z');

const AGENTS = [
  { id: 's1', queue: 'sales', calls: 20, idle: 60, talk: 180, wrap: 30, missed: 2, start: '2026-11-20T09:00:00Z' },
  { id: 's2', queue: 'sales', calls: 20, idle: 90, talk: 180, wrap: 30, missed: 0, start: '2026-11-20T09:00:00Z' },
  { id: 't1', queue: 'support', calls: 12, idle: 40, talk: 300, wrap: 60, missed: 0, start: '2026-11-20T09:00:00Z' },
  { id: 't2', queue: 'support', calls: 12, idle: 120, talk: 300, wrap: 60, missed: 0, start: '2026-11-20T09:00:00Z' },
] as const;

// Waits of the answered calls, in the order each queue's agents take them (agent by agent).
const SALES_WAITS = [...Array<number>(30).fill(10), ...Array<number>(10).fill(40)];
const SUPPORT_WAITS = [...Array<number>(18).fill(25), ...Array<number>(6).fill(60)];

export const EXPECTED = {
  all: { queued: 90, answered: 64, answeredWithin: 48, abandoned: 18, callbacks: 8 },
  sales: {
    queued: 50,
    answered: 40,
    answeredWithin: 30,
    abandoned: 10,
    sl1: 30 / 40,
    sl2: 30 / 50,
    asa: (30 * 10 + 10 * 40) / 40,
    abandonment: 10 / 50,
    aht: 210,
  },
  support: {
    queued: 40,
    answered: 24,
    answeredWithin: 18,
    abandoned: 8,
    sl1: 18 / 24,
    sl2: 18 / 32,
    asa: (18 * 25 + 6 * 60) / 24,
    abandonment: 8 / 40,
    aht: 360,
  },
  totals: {
    sl1: 48 / 64,
    sl2: 48 / 82,
    asa: (30 * 10 + 10 * 40 + 18 * 25 + 6 * 60) / 64,
    abandonment: 18 / 90,
    aht: (40 * 210 + 24 * 360) / 64,
    callsArrived: 64 + 10 + 8 + 8 + 4,
  },
  agents: {
    s1: { handled: 20, aht: 210, occupancy: (20 * 210) / (20 * 210 + 20 * (60 + 5) + 2 * (60 + 15)), missed: 2 },
    s2: { handled: 20, aht: 210, occupancy: (20 * 210) / (20 * 210 + 20 * (90 + 5)), missed: 0 },
    t1: { handled: 12, aht: 360, occupancy: (12 * 360) / (12 * 360 + 12 * (40 + 5)), missed: 0 },
    t2: { handled: 12, aht: 360, occupancy: (12 * 360) / (12 * 360 + 12 * (120 + 5)), missed: 0 },
  },
  occupancyAll: (40 * 210 + 24 * 360) / (40 * 210 + 24 * 360 + 20 * 65 + 2 * 75 + 20 * 95 + 12 * 45 + 12 * 125),
  callbacks: { requested: 8, completed: 5, failed: 2, pending: 1 },
  voicemails: { total: 4, unhandled: 3 },
  live: { salesWaiting: 3, salesLongestWait: 95, supportWaiting: 0, available: 2, onCall: 1, wrapUp: 1, away: 1 },
} as const;

interface CallRow {
  id: string;
  queue: string | null;
  from: string;
  name: string;
  outcome: string;
  arrived: Date;
  queued: Date | null;
  connected: Date | null;
  ended: Date;
  wait: number | null;
  agent: string | null;
}

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

export function fixtureRows(): {
  calls: CallRow[];
  states: [string, string, string, string | null, string | null, Date][];
} {
  const calls: CallRow[] = [];
  const states: [string, string, string, string | null, string | null, Date][] = []; // key, agent, state, queue, call, at
  let n = 0;
  const callId = () => `fx-${String(++n).padStart(3, '0')}`;
  const waits = { sales: [...SALES_WAITS], support: [...SUPPORT_WAITS] };
  for (const a of AGENTS) {
    let t = new Date(a.start);
    let k = 0;
    const state = (s: string, call: string | null, seconds: number) => {
      states.push([`${a.id}-${++k}`, a.id, s, a.queue, call, t]);
      t = at(t, seconds);
    };
    for (let i = 0; i < a.missed; i++) {
      state('available', null, 60);
      state('reserved', null, 15);
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
  const abandon = (queue: string, count: number, wait: number, startMinute: number) => {
    for (let i = 0; i < count; i++) {
      const queued = new Date(Date.UTC(2026, 10, 20, 9, startMinute + i * 7, 0));
      const id = callId();
      calls.push({
        id,
        queue,
        from: `+1425555${String(n).padStart(4, '0')}`,
        name: `Caller ${n}`,
        outcome: 'abandoned',
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
  abandon('support', 8, 45, 2);
  abandon('support', 8, 50, 3); // these eight become callbacks
  for (let i = 0; i < 4; i++) {
    const arrived = new Date(Date.UTC(2026, 10, 20, 20, i * 10, 0));
    const id = callId();
    calls.push({
      id,
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
  return { calls, states };
}

/** Writes the dataset (and the live tables, as of FIXTURE_NOW) into an empty, migrated database. */
export async function writeFixture(client: pg.ClientBase): Promise<void> {
  const { calls, states } = fixtureRows();
  await client.query(`insert into queue_setting (queue, sl_threshold_seconds) values ('support', 30)`);
  for (const c of calls) {
    await client.query(
      `insert into call (id, workflow_id, from_kind, from_id, from_name, to_id, queue, agent_id, outcome, wait_seconds,
         arrived_at, answered_at, queued_at, offered_at, connected_at, ended_at, updated_at)
       values ($1::varchar, 'call-' || $1::varchar, 'phone', $2, $3, '+14255550000', $4, $5, $6, $7, $8, $8, $9, $9, $10, $11, $11)`,
      [c.id, c.from, c.name, c.queue, c.agent, c.outcome, c.wait, c.arrived, c.queued, c.connected, c.ended],
    );
    await client.query(
      `insert into call_event (call_id, seq, type, at, payload) values ($1, 1, 'incoming', $2, $3), ($1, 2, 'ended', $4, null)`,
      [c.id, c.arrived, JSON.stringify({ from: c.from }), c.ended],
    );
  }
  for (const s of states) {
    await client.query(
      `insert into agent_state_change (key, agent_id, state, queue, call_id, at) values ($1, $2, $3, $4, $5, $6)`,
      s,
    );
  }
  const callbackCalls = calls.filter((c) => c.queue === 'support' && c.outcome === 'abandoned' && c.wait === 50);
  const statuses = ['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'failed', 'requested'];
  for (const [i, c] of callbackCalls.entries()) {
    await client.query(
      `insert into callback (call_id, queue, number, status, attempts, requested_at, completed_at) values ($1, 'support', $2, $3, $4, $5, $6)`,
      [
        c.id,
        c.from,
        statuses[i],
        statuses[i] === 'requested' ? 0 : 1,
        c.ended,
        statuses[i] === 'completed' ? at(c.ended, 600) : null,
      ],
    );
  }
  const after = calls.filter((c) => c.queue === null);
  for (const [i, c] of after.entries()) {
    await client.query(
      `insert into voicemail (call_id, queue, from_id, from_name, recorded_at, duration_seconds, recording_url, handled_at)
       values ($1, 'support', $2, $3, $4, 20, $5, $6)`,
      [
        c.id,
        c.from,
        c.name,
        at(c.arrived, 15),
        `https://recordings.example/voicemail/${c.id}.wav`,
        i === 0 ? at(c.arrived, 3600) : null,
      ],
    );
  }
  await client.query(
    `insert into queue_live (queue, calls_waiting, oldest_waiting_since, agents_available, agents_on_call, agents_wrap_up, agents_away, updated_at)
     values ('sales', 3, $1, 1, 1, 0, 0, $2), ('support', 0, null, 1, 0, 1, 1, $2)`,
    [at(FIXTURE_NOW, -95), FIXTURE_NOW],
  );
  await client.query(
    `insert into agent_live (agent_id, state, since, updated_at) values
       ('s1', 'available', $1, $1), ('s2', 'onCall', $1, $1), ('t1', 'available', $1, $1), ('t2', 'wrapUp', $1, $1), ('x1', 'away', $1, $1)`,
    [FIXTURE_NOW],
  );
}
