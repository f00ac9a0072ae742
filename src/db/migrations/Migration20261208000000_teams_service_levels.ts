import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 4: the Teams Queues app's service-level variants as formulas a queue can choose. Microsoft's
 * "Auto attendant and Call queue real-time metrics" (learn.microsoft.com, aa-cq-real-time-reports) defines them over
 * offered calls (tot_offered_calls, "accepted calls"), not answered + abandoned:
 * - sl_met_handled = answered within ÷ answered: our 'answered';
 * - sl_met_negative_abandon = answered within ÷ offered: 'teams_negative_abandon';
 * - sl_met_positive_abandon = (answered within + abandoned within) ÷ offered: 'teams_positive_abandon';
 * - sl_met_no_abandon = answered within ÷ (offered − abandoned within): 'teams_no_abandon'.
 * Offered here = the calls queued in the queue (its own rows: answered, abandoned, callbacks, timed out, no agents)
 * less short abandons (issue 27: out of every service level), plus the segments a time-out or no-agents exit sent on
 * to another queue (accepted, then given that treatment). An overflow exit is not offered: Teams' overflow treatment
 * is for calls the full queue rejected (tot_overflowed_calls). `queue_service_level` gains an `offered` column.
 */
const FORMULAS = [
  'answered',
  'answered_abandoned',
  'abandons_within_met',
  'late_abandons',
  'teams_negative_abandon',
  'teams_positive_abandon',
  'teams_no_abandon',
];
const BEFORE = FORMULAS.slice(0, 4);

const SIGNATURE = 'metrics.queue_service_level(timestamptz, timestamptz, text[])';

function serviceLevelFunction(teams: boolean): string {
  const offeredColumn = teams ? ', offered bigint' : '';
  const offered = teams ? ', f.offered + coalesce(x.moved, 0)' : '';
  const offeredCount = teams
    ? ',\n                 count(*) filter (where cf.is_short_abandon is not true) as offered'
    : '';
  const joins = teams
    ? `
        left join (
          select x.queue, count(*) as moved from metrics.queue_exit_list x
          where x.to_queue is not null and x.reason in ('timeout', 'noAgents')
            and x.entered_at >= p_from and x.entered_at < p_to
            and (p_queues is null or cardinality(p_queues) = 0 or x.queue = any (p_queues))
          group by x.queue
        ) x on x.queue = f.queue`
    : '';
  const teamsCases = teams
    ? `
                 when 'teams_negative_abandon' then
                   f.within::double precision / nullif(f.offered + coalesce(x.moved, 0), 0)
                 when 'teams_positive_abandon' then
                   (f.within + f.ab_within)::double precision / nullif(f.offered + coalesce(x.moved, 0), 0)
                 when 'teams_no_abandon' then
                   f.within::double precision / nullif(f.offered + coalesce(x.moved, 0) - f.ab_within, 0)`
    : '';
  return `create function metrics.queue_service_level(p_from timestamptz, p_to timestamptz,
        p_queues text[] default null)
      returns table (queue varchar, sl_formula varchar, answered bigint, answered_within bigint, abandoned bigint,
                     abandoned_within bigint, short_abandons bigint, service_level double precision${offeredColumn})
      language sql stable as $$
        with f as (
          select cf.queue, count(*) filter (where cf.is_answered) as answered,
                 count(*) filter (where cf.is_answered and cf.wait_seconds <= cf.sl_threshold_seconds) as within,
                 count(*) filter (where cf.is_abandoned) as abandoned,
                 count(*) filter (where cf.is_abandoned and cf.wait_seconds <= cf.sl_threshold_seconds) as ab_within,
                 count(*) filter (where cf.is_short_abandon) as short${offeredCount}
          from metrics.call_fact_probe cf
          where cf.queued_at >= p_from and cf.queued_at < p_to
            and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
          group by cf.queue
        )
        select f.queue, z.sl_formula::varchar, f.answered, f.within, f.abandoned, f.ab_within, f.short,
               case coalesce(z.sl_formula, 'answered_abandoned')
                 when 'answered' then f.within::double precision / nullif(f.answered, 0)
                 when 'abandons_within_met' then
                   (f.within + f.ab_within)::double precision / nullif(f.answered + f.abandoned, 0)
                 when 'late_abandons' then
                   f.within::double precision / nullif(f.answered + f.abandoned - f.ab_within, 0)${teamsCases}
                 else f.within::double precision / nullif(f.answered + f.abandoned, 0)
               end${offered}
        from f left join metrics.queue_zone z on z.queue = f.queue${joins}
      $$;`;
}

export class Migration20261208000000_teams_service_levels extends Migration {
  override up(): void {
    this.addSql(`alter table "queue_setting" drop constraint "queue_setting_sl_formula_check";`);
    this.addSql(`alter table "queue_setting" add constraint "queue_setting_sl_formula_check"
      check ("sl_formula" in (${FORMULAS.map((f) => `'${f}'`).join(', ')}));`);
    this.addSql(`drop function ${SIGNATURE};`);
    this.addSql(serviceLevelFunction(true));
    this.addSql(`revoke execute on function ${SIGNATURE} from public;`);
    this.addSql(`grant execute on function ${SIGNATURE} to switchboard_reader;`);
  }

  override down(): void {
    this.addSql(`update "queue_setting" set "sl_formula" = 'answered_abandoned' where "sl_formula" like 'teams_%';`);
    this.addSql(`alter table "queue_setting" drop constraint "queue_setting_sl_formula_check";`);
    this.addSql(`alter table "queue_setting" add constraint "queue_setting_sl_formula_check"
      check ("sl_formula" in (${BEFORE.map((f) => `'${f}'`).join(', ')}));`);
    this.addSql(`drop function ${SIGNATURE};`);
    this.addSql(serviceLevelFunction(false));
    this.addSql(`revoke execute on function ${SIGNATURE} from public;`);
    this.addSql(`grant execute on function ${SIGNATURE} to switchboard_reader;`);
  }
}
