import type pg from 'pg';

/**
 * Realistic call history for demos and the benchmark: `switchboard seed --calls N`.
 * - arrivals follow a weekday curve (peaks at 10:00 and 14:00, quiet nights and weekends) over `days` days;
 * - queues have skills-like mixes and different answer speeds; wait is exponential around the queue's mean;
 * - callers abandon when their patience (exponential) runs out before an agent answers; 3 % of would-be
 *   abandons ask for a callback instead; a few calls arrive after hours and leave a voicemail;
 * - every answered call gets agent intervals: available → reserved → onCall (talk) → wrapUp, and 2 % of offers
 *   are missed.
 * Rows go in with one multi-row `insert … select from unnest(…)` per batch. Deterministic for a given seed.
 *
 * Bulk mode (default from BULK_CALLS calls on): the metric triggers are disabled for the load and every rollup is
 * rebuilt set-based at the end (`public.metrics_rebuild_all()`), all in one transaction that holds the tables'
 * locks, so the result is what the triggers would have written and nothing else slips in meanwhile. Through the
 * triggers each batch pays for recomputing what it touches (≈ 600–900 calls/s); in bulk the load runs at the
 * plain insert rate and the rebuild is one pass. Without the rollups migrations (no metrics_rebuild_all) rows
 * go in batch by batch as before.
 */
export interface SeedOptions {
  calls: number;
  days?: number;
  end?: Date;
  seed?: number;
  batchSize?: number;
  /** Load with the metric triggers off and rebuild the rollups at the end (default: from BULK_CALLS calls on). */
  bulk?: boolean;
  onProgress?: (done: number) => void;
  /** Called once the rows are in, before the rollups are rebuilt (bulk mode). */
  onRebuild?: () => void;
}

/** From this many calls on, `seedHistory` loads in bulk mode unless told otherwise. */
export const BULK_CALLS = 100_000;
const TRIGGER_TABLES = ['call', 'callback', 'agent_state_change'];

const QUEUES = [
  { name: 'sales', share: 0.4, meanWait: 14, patience: 90, talk: 240, wrap: 30, agents: 40 },
  { name: 'support', share: 0.35, meanWait: 35, patience: 120, talk: 420, wrap: 75, agents: 50 },
  { name: 'billing', share: 0.15, meanWait: 22, patience: 80, talk: 300, wrap: 45, agents: 15 },
  { name: 'vip', share: 0.1, meanWait: 6, patience: 60, talk: 360, wrap: 60, agents: 10 },
];

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative arrival intensity by hour of day (weekday); weekends get 25 %. */
const HOURLY = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 7, 9, 8, 6, 7, 8.5, 7, 5, 3, 1.5, 1, 0.8, 0.6, 0.4, 0.3];

export async function seedHistory(
  client: pg.ClientBase,
  opts: SeedOptions,
): Promise<{ calls: number; stateChanges: number }> {
  const days = opts.days ?? 30;
  const end = opts.end ?? new Date();
  const rand = rng(opts.seed ?? 42);
  const batchSize = opts.batchSize ?? 5000;
  const startMs = end.getTime() - days * 86400_000;
  const exp = (mean: number) => -Math.log(1 - rand()) * mean;

  // Weighted hours to sample arrival times from.
  const hours: { t: number; w: number }[] = [];
  for (let h = 0; h < days * 24; h++) {
    const t = startMs + h * 3600_000;
    const d = new Date(t);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    hours.push({ t, w: HOURLY[d.getUTCHours()]! * (weekend ? 0.25 : 1) });
  }
  const total = hours.reduce((s, h) => s + h.w, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const h of hours) cumulative.push((acc += h.w / total));
  const pickHour = () => {
    const r = rand();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return hours[lo]!.t;
  };
  const pickQueue = () => {
    let r = rand();
    for (const q of QUEUES) if ((r -= q.share) <= 0) return q;
    return QUEUES[0]!;
  };

  // Arrivals in time order, so each agent handles its calls one after another.
  const arrivals = new Float64Array(opts.calls);
  for (let i = 0; i < opts.calls; i++) arrivals[i] = pickHour() + rand() * 3600_000;
  arrivals.sort();
  // Staff each queue for its peak hour at ~95 % load; calls wait for the longest-idle agent.
  const peakShare = Math.max(...hours.map((h) => h.w)) / total;
  const pools = new Map(
    QUEUES.map((q) => {
      const n = Math.max(2, Math.ceil(((opts.calls * q.share * peakShare * (q.talk + q.wrap)) / 3600) * 0.95));
      return [q.name, Array.from({ length: n }, (_, i) => ({ id: `${q.name}-agent-${i}`, freeAt: 0 }))];
    }),
  );

  const runTag = `${opts.seed ?? 42}-${end.getTime()}`;
  let stateChanges = 0;
  let done = 0;
  const canRebuild =
    (await client.query(`select to_regprocedure('public.metrics_rebuild_all()') is not null as ok`)).rows[0]?.ok ===
    true;
  const bulk = canRebuild && (opts.bulk ?? opts.calls >= BULK_CALLS);
  if (bulk) {
    await client.query('begin');
    for (const t of TRIGGER_TABLES) await client.query(`alter table "${t}" disable trigger user`);
  }
  try {
    while (done < opts.calls) {
      const n = Math.min(batchSize, opts.calls - done);
      const c = {
        id: [] as string[],
        from: [] as string[],
        name: [] as string[],
        queue: [] as (string | null)[],
        agent: [] as (string | null)[],
        outcome: [] as string[],
        wait: [] as (number | null)[],
        arrived: [] as string[],
        queued: [] as (string | null)[],
        connected: [] as (string | null)[],
        ended: [] as string[],
      };
      const s = {
        key: [] as string[],
        agent: [] as string[],
        state: [] as string[],
        reason: [] as (string | null)[],
        queue: [] as string[],
        call: [] as (string | null)[],
        at: [] as string[],
      };
      const cb = {
        call: [] as string[],
        queue: [] as string[],
        number: [] as string[],
        status: [] as string[],
        at: [] as string[],
      };
      const vm = { call: [] as string[], from: [] as string[], at: [] as string[] };
      for (let i = 0; i < n; i++) {
        const idx = done + i;
        const id = `seed-${runTag}-${idx}`;
        const arrived = arrivals[idx]!;
        const caller = 1000 + Math.floor(rand() * 90000);
        const from = `+1425${String(caller).padStart(7, '0')}`;
        const hour = new Date(arrived).getUTCHours();
        c.id.push(id);
        c.from.push(from);
        c.name.push(`Caller ${caller}`);
        c.arrived.push(new Date(arrived).toISOString());
        if (hour < 7 || hour >= 20) {
          // After hours: straight to voicemail, never queued.
          c.queue.push(null);
          c.agent.push(null);
          c.outcome.push('disconnected');
          c.wait.push(null);
          c.queued.push(null);
          c.connected.push(null);
          c.ended.push(new Date(arrived + 45_000).toISOString());
          if (rand() < 0.5) {
            vm.call.push(id);
            vm.from.push(from);
            vm.at.push(new Date(arrived + 12_000).toISOString());
          }
          continue;
        }
        const q = pickQueue();
        const queued = arrived + 6000 + rand() * 4000;
        const pool = pools.get(q.name)!;
        let agentSlot = pool[0]!;
        for (const a of pool) if (a.freeAt < agentSlot.freeAt) agentSlot = a;
        const connectedAt = Math.max(queued + exp(q.meanWait / 3) * 1000, agentSlot.freeAt + 2000);
        const wait = (connectedAt - queued) / 1000;
        const patience = exp(q.patience);
        c.queue.push(q.name);
        c.queued.push(new Date(queued).toISOString());
        if (wait <= patience) {
          const agent = agentSlot.id;
          const connected = connectedAt;
          const talk = 20 + exp(q.talk);
          const wrap = 3 + exp(q.wrap);
          c.agent.push(agent);
          c.outcome.push('connected');
          c.wait.push(wait);
          c.connected.push(new Date(connected).toISOString());
          c.ended.push(new Date(connected).toISOString()); // the bot's leg ends at transfer
          const changes: [string, number, string | null][] = [];
          if (agentSlot.freeAt === 0) changes.push(['available', connected - 60_000, null]);
          if (rand() < 0.02 && connected - 25_000 > agentSlot.freeAt) {
            changes.push(['reserved', connected - 25_000, 'offer'], ['available', connected - 10_000, 'missedOffer']);
          }
          changes.push(
            ['reserved', connected - 1500, 'offer'],
            ['onCall', connected, null],
            ['wrapUp', connected + talk * 1000, null],
            ['available', connected + (talk + wrap) * 1000, null],
          );
          agentSlot.freeAt = connected + (talk + wrap) * 1000;
          changes.forEach(([state, at, reason], k) => {
            s.key.push(`${id}-${k}`);
            s.agent.push(agent);
            s.state.push(state);
            s.reason.push(reason);
            s.queue.push(q.name);
            s.call.push(state === 'available' ? null : id);
            s.at.push(new Date(at).toISOString());
          });
        } else {
          c.agent.push(null);
          c.outcome.push('abandoned');
          c.wait.push(patience);
          c.connected.push(null);
          c.ended.push(new Date(queued + patience * 1000).toISOString());
          if (rand() < 0.03) {
            cb.call.push(id);
            cb.queue.push(q.name);
            cb.number.push(from);
            const r = rand();
            cb.status.push(r < 0.8 ? 'completed' : r < 0.93 ? 'failed' : 'requested');
            cb.at.push(new Date(queued + patience * 1000).toISOString());
          }
        }
      }
      if (!bulk) await client.query('begin');
      try {
        await client.query(
          `insert into call (id, workflow_id, from_kind, from_id, from_name, to_id, queue, agent_id, outcome, wait_seconds,
             arrived_at, answered_at, queued_at, offered_at, connected_at, ended_at, updated_at)
           select id, 'call-' || id, 'phone', f, nm, '+14255550000', q, a, o, w, ar, ar + interval '1 second', qu, co, co, en, en
           from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::float8[],
                       $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[])
             as t(id, f, nm, q, a, o, w, ar, qu, co, en)`,
          [c.id, c.from, c.name, c.queue, c.agent, c.outcome, c.wait, c.arrived, c.queued, c.connected, c.ended],
        );
        if (s.key.length) {
          await client.query(
            `insert into agent_state_change (key, agent_id, state, reason, queue, call_id, at)
             select * from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::timestamptz[])`,
            [s.key, s.agent, s.state, s.reason, s.queue, s.call, s.at],
          );
        }
        if (cb.call.length) {
          await client.query(
            `insert into callback (call_id, queue, number, status, attempts, requested_at, completed_at)
             select c, q, n, st, case when st = 'requested' then 0 else 1 end, at,
                    case when st = 'completed' then at + interval '20 minutes' end
             from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[]) as t(c, q, n, st, at)`,
            [cb.call, cb.queue, cb.number, cb.status, cb.at],
          );
        }
        if (vm.call.length) {
          await client.query(
            `insert into voicemail (call_id, queue, from_id, from_name, recorded_at, duration_seconds, recording_url)
             select c, 'support', f, null, at, 25, 'https://recordings.example/voicemail/' || c || '.wav'
             from unnest($1::varchar[], $2::varchar[], $3::timestamptz[]) as t(c, f, at)`,
            [vm.call, vm.from, vm.at],
          );
        }
        if (!bulk) await client.query('commit');
      } catch (err) {
        if (!bulk) await client.query('rollback');
        throw err;
      }
      stateChanges += s.key.length;
      done += n;
      opts.onProgress?.(done);
    }
    if (bulk) {
      for (const t of TRIGGER_TABLES) await client.query(`alter table "${t}" enable trigger user`);
      opts.onRebuild?.();
      await client.query('select public.metrics_rebuild_all()');
      await client.query('commit');
    }
  } catch (err) {
    if (bulk) await client.query('rollback').catch(() => {});
    throw err;
  }
  await client.query('analyze call; analyze agent_state_change; analyze callback; analyze voicemail');
  return { calls: done, stateChanges };
}
