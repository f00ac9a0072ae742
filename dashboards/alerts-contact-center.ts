import yaml from 'js-yaml';
import { QueryBuilder, RuleBuilder, RuleGroupBuilder, type Rule } from '@grafana/grafana-foundation-sdk/alerting';
import { TypeThresholdBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { POSTGRES_DATASOURCE, sql } from './postgres-query.js';

/**
 * The contact center's alert rules, as code: Grafana-managed rules built with the foundation SDK's alerting builders,
 * each a query on the Postgres datasource (the read-only role, metrics schema only) and a threshold on its value.
 *
 * Each query returns, per queue where it applies, one numeric column `value` and the string column `queue`: Grafana
 * alerts on such a table directly, one alert per row, the string columns as its labels ("Alerting on numeric data":
 * format Table, one numeric column, optionally string columns, which become labels). A queue with nothing to say
 * returns no row: healthy, not "no data".
 *
 * The queries read the clock as `now()` and never Grafana's `$__timeFrom()`/`$__timeTo()` macros: Grafana expands
 * environment variables (`$NAME`) in provisioning files, and the windows here are fixed anyway.
 * test/analytics/alert-rules-contact-center.test.ts runs every query, with `now()` set to a known instant, on rows
 * placed by hand: each fires where it should and stays quiet where it should not.
 */

/** SL2 below which a queue is under target: the 80/20 of the dashboards' service-level stats. */
export const SERVICE_LEVEL_TARGET = 0.8;

export interface ContactCenterAlert {
  uid: string;
  title: string;
  /** The query: rows of (queue?, value). */
  query: string;
  /** The rule fires on a row whose value is over (`gt`) or under (`lt`) this. */
  threshold: { type: 'gt' | 'lt'; value: number };
  /** How long it must hold before the alert fires (Grafana's pending period). */
  for: string;
  /** What to do when the query returns nothing at all. */
  noData: 'OK' | 'Alerting';
  summary: string;
  description: string;
}

export const SERVICE_LEVEL_ALERT: ContactCenterAlert = {
  uid: 'switchboard-service-level',
  title: 'Service level under target',
  // SL2 (answered within the queue's threshold ÷ answered + abandoned, docs/metrics.md) over the last hour, once a
  // queue has had 5 calls in it: a single abandoned call of two is no trend.
  query: `select queue::text as queue, service_level_abandoned as value
    from metrics.queue_stats(now() - interval '1 hour', now(), 0, null)
    where answered + abandoned >= 5`,
  threshold: { type: 'lt', value: SERVICE_LEVEL_TARGET },
  for: '15m',
  noData: 'OK',
  summary: 'Queue {{ $labels.queue }}: service level under 80 % for 15 minutes',
  description:
    'Fewer than 80 % of the last hour’s callers were answered within the queue’s service-level threshold ' +
    '(SL2, abandoned calls counted), for 15 minutes. Check the Wallboard: agents available, calls waiting, ' +
    'longest wait; bring agents in from away or from another queue.',
};

export const ABANDONMENT_SPIKE_ALERT: ContactCenterAlert = {
  uid: 'switchboard-abandonment-spike',
  title: 'Abandonment rate spike',
  // The last 15 minutes' abandonment rate against the queue's own over the 7 days before, that usual rate counting as
  // at least 10 %: value 2 is twice as many callers giving up as usual (20 % at the least), on 5 calls or more.
  query: `with recent as (
      select queue, queued, abandoned from metrics.queue_stats(now() - interval '15 minutes', now(), 0, null)
    ), usual as (
      select queue, abandonment_rate
      from metrics.queue_stats(now() - interval '7 days' - interval '15 minutes', now() - interval '15 minutes', 0, null)
    )
    select r.queue::text as queue,
           (r.abandoned::double precision / r.queued) / greatest(coalesce(u.abandonment_rate, 0), 0.1) as value
    from recent r left join usual u on u.queue = r.queue
    where r.queued >= 5`,
  threshold: { type: 'gt', value: 2 },
  for: '0s',
  noData: 'OK',
  summary: 'Queue {{ $labels.queue }}: callers abandoning at over twice the usual rate',
  description:
    'In the last 15 minutes callers hung up in the queue more than twice as often as over the past week (and at ' +
    'least 20 % of them). Look for a surge of calls, agents gone away, or a fault on the line.',
};

export const WAITING_UNSTAFFED_ALERT: ContactCenterAlert = {
  uid: 'switchboard-waiting-no-agent',
  title: 'Calls waiting with no agent',
  // Callers on hold in a queue where no agent is available, being offered a call, on a call or in wrap-up: every
  // member is away or signed out, so nobody will ever take them. (Agents all busy on calls is a queue doing its job.)
  query: `select s.queue::text as queue,
           case when s.agents_available + s.agents_reserved + s.agents_on_call + s.agents_wrap_up = 0
                then w.on_hold else 0 end::double precision as value
    from metrics.queue_staffing s
    join metrics.waiting_now(now()) w on w.queue = s.queue`,
  threshold: { type: 'gt', value: 0 },
  for: '2m',
  noData: 'OK',
  summary: 'Queue {{ $labels.queue }}: callers waiting and no agent working the queue',
  description:
    'Callers are on hold in a queue whose agents are all away or signed out, for 2 minutes. Ask an agent to become ' +
    'available, or change the queue’s no-agent action in flows/.',
};

export const CALLBACKS_FAILING_ALERT: ContactCenterAlert = {
  uid: 'switchboard-callbacks-failing',
  title: 'Callbacks failing',
  // Callbacks that ended failed (the callback workflow gave up: no answer, the person hung up before an agent took
  // the call…) in the last hour, per queue.
  query: `select coalesce(queue, '')::text as queue,
           (count(*) filter (where status = 'failed'))::double precision as value
    from metrics.callback_list
    where status in ('failed', 'completed') and completed_at > now() - interval '1 hour'
    group by queue`,
  threshold: { type: 'gt', value: 2 },
  for: '0s',
  noData: 'OK',
  summary: 'Queue {{ $labels.queue }}: 3 or more callbacks failed in the last hour',
  description:
    'Callbacks promised to callers are ending failed. The Voicemail and callbacks dashboard lists them; the call ' +
    'timelines say why (callbackFailed). Check the outbound calling of the bot and that agents take callback offers.',
};

export const RETENTION_NOT_RUN_ALERT: ContactCenterAlert = {
  uid: 'switchboard-retention-not-run',
  title: 'Retention job not run',
  // Hours since the daily retention job last ran (or since the schema was installed, before its first run).
  query: `select extract(epoch from now() - coalesce(last_run_at, installed_at))::double precision / 3600 as value
    from metrics.retention_status`,
  threshold: { type: 'gt', value: 26 },
  for: '0s',
  noData: 'Alerting',
  summary: 'The retention job has not run for over 26 hours',
  description:
    'Personal data is kept only as long as promised because the retention Temporal Schedule runs daily. Check ' +
    'the schedule (`retention`) and the retentionWorkflow runs in the Temporal UI, and that a worker is up. See ' +
    'docs/operations.md.',
};

export const CONTACT_CENTER_ALERTS: readonly ContactCenterAlert[] = [
  SERVICE_LEVEL_ALERT,
  ABANDONMENT_SPIKE_ALERT,
  WAITING_UNSTAFFED_ALERT,
  CALLBACKS_FAILING_ALERT,
  RETENTION_NOT_RUN_ALERT,
];

export const CONTACT_CENTER_GROUP = 'Switchboard contact center';
export const ALERT_FOLDER = 'Switchboard';
/** Grafana evaluates the group every minute. */
const INTERVAL_SECONDS = 60;

/** One alert as the SDK's rule: query A on Postgres, condition B a threshold on A. */
export function buildRule(alert: ContactCenterAlert): RuleBuilder {
  const query = new QueryBuilder('A')
    .datasourceUid(POSTGRES_DATASOURCE.uid)
    .relativeTimeRange({ from: 600, to: 0 })
    .model(sql(alert.query).refId('A'));
  const threshold = new QueryBuilder('B').datasourceUid('__expr__').model(
    new TypeThresholdBuilder()
      .refId('B')
      .datasource({ type: '__expr__', uid: '__expr__' })
      .expression('A')
      .conditions([{ evaluator: { type: alert.threshold.type, params: [alert.threshold.value] } }]),
  );
  return new RuleBuilder(alert.title)
    .uid(alert.uid)
    .ruleGroup(CONTACT_CENTER_GROUP)
    .orgID(1)
    .withQuery(query)
    .withQuery(threshold)
    .condition('B')
    .forDuration(alert.for)
    .noDataState(alert.noData)
    .execErrState('Error')
    .labels({ severity: 'warning', team: 'contact-center' })
    .annotations({ summary: alert.summary, description: alert.description })
    .isPaused(false);
}

/** The group, as the SDK builds it (the shape of Grafana's provisioning HTTP API). */
export function contactCenterRuleGroup() {
  const group = new RuleGroupBuilder(CONTACT_CENTER_GROUP).interval(INTERVAL_SECONDS);
  for (const alert of CONTACT_CENTER_ALERTS) group.withRule(buildRule(alert));
  return group.build();
}

/**
 * The same rules as a provisioning file (Grafana's /etc/grafana/provisioning/alerting): the group names its folder
 * and org; a rule keeps its own fields. JSON round trip: the SDK's query objects carry a marker method.
 */
export function contactCenterProvisioning(): unknown {
  const group = contactCenterRuleGroup();
  const rules = (group.rules ?? []).map((rule: Rule) => {
    const { folderUID: _folder, orgID: _org, ruleGroup: _group, ...rest } = rule;
    return rest;
  });
  return JSON.parse(
    JSON.stringify({
      apiVersion: 1,
      groups: [
        {
          orgId: 1,
          name: group.title,
          folder: ALERT_FOLDER,
          interval: `${group.interval ?? INTERVAL_SECONDS}s`,
          rules,
        },
      ],
    }),
  ) as unknown;
}

/** dashboards/provisioning/alerting/contact-center.yaml, written by `npm run dashboards`. */
export function contactCenterAlertsYaml(): string {
  return (
    '# Generated by `npm run dashboards` (dashboards/alerts-contact-center.ts). Do not edit.\n' +
    '# Queries the Postgres datasource (uid switchboard-postgres); what each rule means: docs/metrics.md, "Alerts".\n' +
    yaml.dump(contactCenterProvisioning(), { lineWidth: -1, noRefs: true, quotingType: '"' })
  );
}
