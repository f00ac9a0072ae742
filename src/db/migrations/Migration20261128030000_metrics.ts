import { Migration } from '@mikro-orm/migrations';

/**
 * Contact-center metrics, defined once in SQL (schema `metrics`), read by Grafana through the read-only role
 * `switchboard_reader`. Every formula is documented here and in docs/metrics.md.
 *
 * Conventions used by every metric:
 * - a call belongs to the interval in which it entered the queue (`queued_at`); calls never queued (failed
 *   before the queue, after-hours voicemail) are not part of queue metrics;
 * - "answered" means an agent took the call (`connected_at`, not the bot's `answered_at`);
 * - wait = connected_at − queued_at for answered calls, `wait_seconds` (or ended_at − queued_at) for the others;
 * - a call that became a callback (a `callback` row points at it) is a flow-out: neither answered nor abandoned;
 * - every ratio is `x / nullif(y, 0)`: a queue with no calls gives NULL ("no data"), never a division error.
 */
export class Migration20261128030000_metrics extends Migration {
  override async up(): Promise<void> {
    // Per-queue settings; a queue without a row uses the default 20 s service-level threshold.
    this.addSql(`create table if not exists "queue_setting" (
      "queue" varchar(100) primary key,
      "sl_threshold_seconds" int not null default 20 check ("sl_threshold_seconds" > 0),
      "updated_at" timestamptz not null default now()
    );`);

    // Callbacks and voicemails: the voicemail/callback issue fills these tables (and may add columns); they are
    // created here so the metrics, the dashboards and their tests have a stable shape to read.
    this.addSql(`create table if not exists "callback" (
      "id" bigserial primary key,
      "call_id" varchar(64) null,
      "queue" varchar(100) null,
      "number" varchar(100) not null,
      "status" varchar(20) not null default 'requested',
      "attempts" int not null default 0,
      "requested_at" timestamptz not null,
      "completed_at" timestamptz null,
      "agent_id" varchar(100) null,
      constraint "callback_status_check" check ("status" in ('requested', 'dialing', 'completed', 'failed', 'cancelled'))
    );`);
    this.addSql(`create index if not exists "callback_call_id_index" on "callback" ("call_id");`);
    this.addSql(`create index if not exists "callback_requested_at_index" on "callback" ("requested_at");`);
    this.addSql(`create table if not exists "voicemail" (
      "id" bigserial primary key,
      "call_id" varchar(64) null,
      "queue" varchar(100) null,
      "from_id" varchar(100) null,
      "from_name" varchar(200) null,
      "recorded_at" timestamptz not null,
      "duration_seconds" double precision not null default 0,
      "recording_url" varchar(1000) null,
      "handled_at" timestamptz null,
      "handled_by" varchar(100) null
    );`);
    this.addSql(`create index if not exists "voicemail_call_id_index" on "voicemail" ("call_id");`);
    this.addSql(`create index if not exists "voicemail_recorded_at_index" on "voicemail" ("recorded_at");`);

    // Indexes for the panels: queue metrics filter on queued_at (and queue), the explorer on caller and name.
    this.addSql(
      `create index if not exists "call_queued_at_queue_index" on "call" ("queued_at", "queue") include ("connected_at", "outcome", "wait_seconds", "ended_at");`,
    );
    this.addSql(`create index if not exists "call_queue_queued_at_index" on "call" ("queue", "queued_at");`);
    this.addSql(`create index if not exists "call_from_name_index" on "call" (lower("from_name"));`);
    this.addSql(
      `create index if not exists "agent_state_change_state_at_index" on "agent_state_change" ("state", "at");`,
    );

    this.addSql(`create schema if not exists "metrics";`);

    // Thin views over the tables the functions below read: functions run as the caller (the reader role), which
    // can read only this schema.
    this.addSql(`create or replace view metrics.call_arrival as select id, queue, arrived_at from call;`);
    this.addSql(`create or replace view metrics.queue_live as
      select queue, calls_waiting, oldest_waiting_since, agents_available, agents_on_call, agents_wrap_up, agents_away
      from queue_live;`);
    this.addSql(`create or replace view metrics.callback_list as
      select id, call_id, queue, number, status, attempts, requested_at, completed_at, agent_id from callback;`);
    this.addSql(`create or replace view metrics.voicemail_list as
      select id, call_id, queue, from_id, from_name, recorded_at, duration_seconds, recording_url, handled_at, handled_by
      from voicemail;`);

    this.addSql(`create or replace view metrics.queue_threshold as
      -- Service-level threshold per queue: queue_setting.sl_threshold_seconds, else 20 s.
      select q.queue, coalesce(s.sl_threshold_seconds, 20) as sl_threshold_seconds
      from (select distinct queue from call where queue is not null
            union select queue from queue_setting) q
      left join queue_setting s on s.queue = q.queue;`);

    this.addSql(`create or replace view metrics.call_fact as
      -- One row per queued call with the facts every queue metric is built from.
      select c.id, c.queue, c.arrived_at, c.queued_at, c.connected_at, c.outcome, c.agent_id,
             coalesce(s.sl_threshold_seconds, 20) as sl_threshold_seconds,
             cb.is_callback,
             -- answered: an agent took the call
             (c.connected_at is not null) as is_answered,
             -- abandoned: the caller hung up in queue, unless the call became a callback
             (c.outcome = 'abandoned' and c.connected_at is null and not cb.is_callback) as is_abandoned,
             -- wait in queue, seconds
             case when c.connected_at is not null then extract(epoch from c.connected_at - c.queued_at)
                  else coalesce(c.wait_seconds, extract(epoch from c.ended_at - c.queued_at)) end as wait_seconds
      from call c
      left join queue_setting s on s.queue = c.queue
      -- a hashed subplan over callback.call_id: one hash of the (small) callback table, not a probe per call
      cross join lateral (select c.id in (select b.call_id from callback b where b.call_id is not null) as is_callback) cb
      where c.queued_at is not null;`);

    /*
     * Queue statistics over [from, to), per queue and per bucket of `bucket_seconds` (0 = the whole range, time =
     * from). `queues` NULL or empty = all queues.
     *   queued            = calls that entered the queue
     *   answered          = queued calls an agent took
     *   answered_within   = answered with wait <= the queue's threshold
     *   abandoned         = queued calls the caller hung up on (callbacks excluded)
     *   callbacks         = queued calls that became callbacks (flow-out)
     *   service_level     = answered_within ÷ answered                     (SL1, "of answered calls")
     *   service_level_abandoned = answered_within ÷ (answered + abandoned) (SL2, abandoned count against it)
     *   asa_seconds       = Σ(connected_at − queued_at) ÷ answered
     *   abandonment_rate  = abandoned ÷ queued
     *   max_wait_seconds  = longest wait of a call in the range (answered or not)
     */
    this.addSql(`create or replace function metrics.queue_stats(
        p_from timestamptz, p_to timestamptz, p_bucket_seconds double precision default 0, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, queued bigint, answered bigint, answered_within bigint,
                     abandoned bigint, callbacks bigint, service_level double precision,
                     service_level_abandoned double precision, asa_seconds double precision,
                     abandonment_rate double precision, max_wait_seconds double precision)
      language sql stable as $$
        with f as (
          select case when coalesce(p_bucket_seconds, 0) > 0
                      then to_timestamp(floor(extract(epoch from cf.queued_at) / p_bucket_seconds) * p_bucket_seconds)
                      else p_from end as bucket,
                 cf.*
          from metrics.call_fact cf
          where cf.queued_at >= p_from and cf.queued_at < p_to
            and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
        )
        select bucket, queue,
               count(*),
               count(*) filter (where is_answered),
               count(*) filter (where is_answered and wait_seconds <= sl_threshold_seconds),
               count(*) filter (where is_abandoned),
               count(*) filter (where is_callback),
               (count(*) filter (where is_answered and wait_seconds <= sl_threshold_seconds))::double precision
                 / nullif(count(*) filter (where is_answered), 0),
               (count(*) filter (where is_answered and wait_seconds <= sl_threshold_seconds))::double precision
                 / nullif(count(*) filter (where is_answered or is_abandoned), 0),
               avg(wait_seconds) filter (where is_answered),
               (count(*) filter (where is_abandoned))::double precision / nullif(count(*), 0),
               max(wait_seconds)
        from f group by bucket, queue
      $$;`);

    // The same statistics over all selected queues together (the "total" line of a panel).
    this.addSql(`create or replace function metrics.queue_totals(
        p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (queued bigint, answered bigint, answered_within bigint, abandoned bigint, callbacks bigint,
                     service_level double precision, service_level_abandoned double precision,
                     asa_seconds double precision, abandonment_rate double precision, max_wait_seconds double precision)
      language sql stable as $$
        select coalesce(sum(s.queued), 0)::bigint, coalesce(sum(s.answered), 0)::bigint,
               coalesce(sum(s.answered_within), 0)::bigint, coalesce(sum(s.abandoned), 0)::bigint,
               coalesce(sum(s.callbacks), 0)::bigint,
               sum(s.answered_within)::double precision / nullif(sum(s.answered), 0),
               sum(s.answered_within)::double precision / nullif(sum(s.answered) + sum(s.abandoned), 0),
               sum(s.asa_seconds * s.answered) / nullif(sum(s.answered), 0),
               sum(s.abandoned)::double precision / nullif(sum(s.queued), 0),
               max(s.max_wait_seconds)
        from metrics.queue_stats(p_from, p_to, 0, p_queues) s
      $$;`);

    // Calls per interval: arrivals (every call, queued or not) per bucket and queue ('(none)' = never queued).
    this.addSql(`create or replace function metrics.calls_per_interval(
        p_from timestamptz, p_to timestamptz, p_bucket_seconds double precision, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, calls bigint)
      language sql stable as $$
        select to_timestamp(floor(extract(epoch from c.arrived_at) / greatest(p_bucket_seconds, 1)) * greatest(p_bucket_seconds, 1)),
               coalesce(c.queue, '(none)')::varchar, count(*)
        from metrics.call_arrival c
        where c.arrived_at >= p_from and c.arrived_at < p_to
          and (p_queues is null or cardinality(p_queues) = 0 or c.queue = any (p_queues))
        group by 1, 2
      $$;`);

    /*
     * Agent-state intervals: each agent_state_change row lasts until the agent's next row; the last one is open
     * (ended_at NULL). next_state/next_seconds let a call's wrap-up be attributed to the onCall before it.
     */
    this.addSql(`create or replace view metrics.agent_interval as
      select agent_id, state, reason, queue, call_id, at as started_at,
             lead(at) over w as ended_at,
             extract(epoch from lead(at) over w - at) as seconds,
             lead(state) over w as next_state,
             extract(epoch from lead(at, 2) over w - lead(at) over w) as next_seconds
      from agent_state_change
      window w as (partition by agent_id order by at, id);`);

    // The raw agent-state rows, for the range functions below (functions run as the reader role).
    this.addSql(`create or replace view metrics.agent_state_row as
      select id, agent_id, state, reason, queue, call_id, at from agent_state_change;`);

    /*
     * The same intervals as metrics.agent_interval, computed only for what a range [from, to) needs: the rows of
     * the range, each agent's last row before it (the interval the range opens in) and each agent's first two
     * rows at or after `to` (the end of the last intervals and their next_state / next_seconds). These rows are a
     * contiguous run of each agent's history, so lead() over them gives exactly the values lead() over the whole
     * table gives; rows at or after `to` are dropped. Agents are enumerated with a loose index scan on
     * (agent_id, at), so an agent with no row in the range (away all day) still gets its open interval.
     */
    this.addSql(`create or replace function metrics.agent_interval_range(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, state varchar, reason varchar, queue varchar, call_id varchar,
                     started_at timestamptz, ended_at timestamptz, seconds double precision, next_state varchar,
                     next_seconds double precision)
      language sql stable as $$
        with recursive agents as (
          (select r.agent_id from metrics.agent_state_row r order by r.agent_id limit 1)
          union all
          select (select r.agent_id from metrics.agent_state_row r where r.agent_id > g.agent_id order by r.agent_id limit 1)
          from agents g where g.agent_id is not null
        ), rows as (
          select r.* from metrics.agent_state_row r where r.at >= p_from and r.at < p_to
          union all
          select b.* from agents g cross join lateral (
            select r.* from metrics.agent_state_row r where r.agent_id = g.agent_id and r.at < p_from
            order by r.at desc, r.id desc limit 1) b
          where g.agent_id is not null
          union all
          select n.* from agents g cross join lateral (
            select r.* from metrics.agent_state_row r where r.agent_id = g.agent_id and r.at >= p_to
            order by r.at, r.id limit 2) n
          where g.agent_id is not null
        ), w as (
          select r.agent_id, r.state, r.reason, r.queue, r.call_id, r.at as started_at,
                 lead(r.at) over w as ended_at,
                 extract(epoch from lead(r.at) over w - r.at)::double precision as seconds,
                 lead(r.state) over w as next_state,
                 extract(epoch from lead(r.at, 2) over w - lead(r.at) over w)::double precision as next_seconds
          from rows r
          -- "C" collation: the partition only needs grouping, and byte order sorts several times faster.
          window w as (partition by r.agent_id collate "C" order by r.at, r.id)
        )
        select * from w where w.started_at < p_to
      $$ set work_mem = '64MB';`);

    /*
     * Agent statistics over [from, to):
     *   calls_handled   = onCall intervals that started in the range (closed ones)
     *   talk_seconds    = time onCall, clipped to the range      (hold is part of onCall: there is no hold state yet)
     *   wrap_seconds    = time in wrapUp, clipped to the range
     *   aht_seconds     = Σ(talk + wrap-up of each handled call) ÷ calls handled; a call's wrap-up is the wrapUp
     *                     interval right after its onCall
     *   occupancy       = (talk + wrap) ÷ (talk + wrap + available + reserved), clipped to the range; reserved
     *                     (being offered) counts as ready-but-not-handling time
     *   missed_offers   = reserved intervals not followed by onCall
     * Open intervals (the agent's current state) end at least(now(), to). Intervals come from
     * agent_interval_range, so only the range's rows are read.
     */
    this.addSql(`create or replace function metrics.agent_stats(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, calls_handled bigint, talk_seconds double precision,
                     wrap_seconds double precision, available_seconds double precision, aht_seconds double precision,
                     occupancy double precision, missed_offers bigint)
      language sql stable as $$
        with i as (
          select ai.*,
                 greatest(0, extract(epoch from least(coalesce(ai.ended_at, least(now(), p_to)), p_to)
                                                - greatest(ai.started_at, p_from)))::double precision as clipped
          from metrics.agent_interval_range(p_from, p_to) ai
          where ai.started_at < p_to and coalesce(ai.ended_at, 'infinity') > p_from
        ), a as (
          select i.agent_id,
                 count(*) filter (where state = 'onCall' and ended_at is not null and started_at >= p_from) as handled,
                 sum(seconds + case when next_state = 'wrapUp' then coalesce(next_seconds, 0) else 0 end)
                   filter (where state = 'onCall' and ended_at is not null and started_at >= p_from) as handle_total,
                 coalesce(sum(clipped) filter (where state = 'onCall'), 0) as talk,
                 coalesce(sum(clipped) filter (where state = 'wrapUp'), 0) as wrap,
                 coalesce(sum(clipped) filter (where state in ('available', 'reserved')), 0) as ready,
                 count(*) filter (where state = 'reserved' and next_state is not null and next_state <> 'onCall'
                                  and started_at >= p_from) as missed
          from i group by i.agent_id
        )
        select agent_id, handled, talk, wrap, ready, handle_total / nullif(handled, 0),
               (talk + wrap) / nullif(talk + wrap + ready, 0), missed
        from a
      $$;`);

    // AHT and occupancy of all agents together (the same formulas as agent_stats, summed before dividing).
    this.addSql(`create or replace function metrics.agent_totals(p_from timestamptz, p_to timestamptz)
      returns table (calls_handled bigint, aht_seconds double precision, occupancy double precision, missed_offers bigint)
      language sql stable as $$
        select coalesce(sum(calls_handled), 0)::bigint,
               sum(aht_seconds * calls_handled) / nullif(sum(calls_handled), 0),
               sum(talk_seconds + wrap_seconds) / nullif(sum(talk_seconds + wrap_seconds + available_seconds), 0),
               coalesce(sum(missed_offers), 0)::bigint
        from metrics.agent_stats(p_from, p_to)
      $$;`);

    // AHT per queue: a handled call belongs to the queue on its onCall row.
    this
      .addSql(`create or replace function metrics.queue_aht(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (queue varchar, calls_handled bigint, aht_seconds double precision)
      language sql stable as $$
        select ai.queue, count(*),
               avg(ai.seconds + case when ai.next_state = 'wrapUp' then coalesce(ai.next_seconds, 0) else 0 end)
        from metrics.agent_interval_range(p_from, p_to) ai
        where ai.state = 'onCall' and ai.ended_at is not null and ai.started_at >= p_from and ai.started_at < p_to
          and (p_queues is null or cardinality(p_queues) = 0 or ai.queue = any (p_queues))
        group by ai.queue
      $$;`);

    // Agent state timeline over [from, to): the intervals overlapping the range, from agent_interval_range.
    this.addSql(`create or replace function metrics.agent_timeline(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, state varchar, started_at timestamptz, ended_at timestamptz)
      language sql stable as $$
        select ai.agent_id, ai.state, ai.started_at, ai.ended_at
        from metrics.agent_interval_range(p_from, p_to) ai
        where ai.started_at < p_to and coalesce(ai.ended_at, 'infinity') > p_from
      $$;`);

    // Live: waiting now and the longest current wait (now − oldest_waiting_since) per queue, as of p_now.
    this.addSql(`create or replace function metrics.queue_now(p_now timestamptz default now())
      returns table (queue varchar, waiting int, longest_wait_seconds double precision,
                     agents_available int, agents_on_call int, agents_wrap_up int, agents_away int)
      language sql stable as $$
        select q.queue, q.calls_waiting,
               case when q.calls_waiting > 0 and q.oldest_waiting_since is not null
                    then greatest(0, extract(epoch from p_now - q.oldest_waiting_since)) else 0 end,
               q.agents_available, q.agents_on_call, q.agents_wrap_up, q.agents_away
        from metrics.queue_live q
      $$;`);

    // Live: agents per state (every state listed, zero when nobody is in it).
    this.addSql(`create or replace view metrics.agents_now as
      select s.state, count(a.agent_id)::int as agents
      from unnest(array['available', 'reserved', 'onCall', 'wrapUp', 'away', 'signedOut']) as s(state)
      left join agent_live a on a.state = s.state
      group by s.state;`);
    this.addSql(`create or replace view metrics.agent_now as
      select agent_id, state, since, call_id from agent_live;`);

    // Call explorer: one row per call, with its recording (a voicemail's, when one exists).
    this.addSql(`create or replace view metrics.call_explorer as
      select c.id, c.workflow_id, c.from_kind, c.from_id, c.from_name, c.to_id, c.queue, c.agent_id, c.outcome,
             c.arrived_at, c.queued_at, c.connected_at, c.ended_at,
             case when c.connected_at is not null and c.queued_at is not null
                  then extract(epoch from c.connected_at - c.queued_at) else c.wait_seconds end as wait_seconds,
             v.recording_url
      from call c
      left join lateral (select recording_url from voicemail vm where vm.call_id = c.id
                         and vm.recording_url is not null order by vm.recorded_at limit 1) v on true;`);
    // A call's path: its timeline.
    this.addSql(`create or replace view metrics.call_path as
      select call_id, seq, type, at, payload from call_event;`);
    // Agent state timeline rows.
    this.addSql(`create or replace view metrics.agent_state_timeline as
      select agent_id, state, started_at, ended_at from metrics.agent_interval;`);

    /*
     * Callbacks over [from, to) by requested_at: requested = all rows, completed / failed by status,
     * pending = requested or dialing. Voicemails over [from, to) by recorded_at.
     */
    this
      .addSql(`create or replace function metrics.callback_stats(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (requested bigint, completed bigint, failed bigint, pending bigint, completion_rate double precision)
      language sql stable as $$
        select count(*), count(*) filter (where status = 'completed'), count(*) filter (where status = 'failed'),
               count(*) filter (where status in ('requested', 'dialing')),
               (count(*) filter (where status = 'completed'))::double precision / nullif(count(*), 0)
        from metrics.callback_list
        where requested_at >= p_from and requested_at < p_to
          and (p_queues is null or cardinality(p_queues) = 0 or queue = any (p_queues))
      $$;`);
    this
      .addSql(`create or replace function metrics.voicemail_stats(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (voicemails bigint, unhandled bigint)
      language sql stable as $$
        select count(*), count(*) filter (where handled_at is null)
        from metrics.voicemail_list
        where recorded_at >= p_from and recorded_at < p_to
          and (p_queues is null or cardinality(p_queues) = 0 or queue = any (p_queues))
      $$;`);
    this.addSql(`create or replace view metrics.queue_list as
      select queue from metrics.queue_threshold;`);

    // The read-only role Grafana uses. Roles are cluster-wide: create it only when missing.
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'switchboard_reader') then
        create role switchboard_reader nologin;
      end if;
    end $$;`);
    this.addSql(`grant usage on schema metrics to switchboard_reader;`);
    this.addSql(`grant select on all tables in schema metrics to switchboard_reader;`);
    this.addSql(`revoke execute on all functions in schema metrics from public;`);
    this.addSql(`grant execute on all functions in schema metrics to switchboard_reader;`);
    // Grafana's login role, when the deployment made one (docker-compose does), reads through the reader role.
    this.addSql(`do $$ begin
      if exists (select 1 from pg_roles where rolname = 'grafana') then
        grant switchboard_reader to grafana;
      end if;
    end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop schema if exists "metrics" cascade;`);
    this.addSql(`drop index if exists "call_queued_at_queue_index";`);
    this.addSql(`drop index if exists "call_queue_queued_at_index";`);
    this.addSql(`drop index if exists "call_from_name_index";`);
    this.addSql(`drop index if exists "agent_state_change_state_at_index";`);
    this.addSql(`drop table if exists "voicemail";`);
    this.addSql(`drop table if exists "callback";`);
    this.addSql(`drop table if exists "queue_setting";`);
    // switchboard_reader is cluster-wide and may serve other databases: it is left in place.
  }
}
