import {
  CustomVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  ABANDON,
  base,
  Layout,
  percentStat,
  queueVariable,
  QUEUES,
  RANGE,
  seriesPanel,
  SL1,
  SL2,
  statPanel,
  tablePanel,
} from './panels.js';
import { POSTGRES_DATASOURCE } from './postgres-query.js';

const ZONE_QUERY = `select metrics.zone_for(${QUEUES}) as zone`;
/** The $interval_minutes variable in SQL: the length of one interval, in minutes. */
const INTERVAL_MINUTES = '${interval_minutes:sqlstring}::int';
/** The selected queues' figures per interval of the range, each interval starting on the $zone wall clock. */
/** Grafana's interval for a chart, in seconds (it depends on the time range and the panel's width). */
const SERIES_SECONDS = '$__interval_ms / 1000.0';
/** What every chart's buckets are (issue 27, point 5). */
const SERIES_NOTE =
  "Each point is an interval starting on the $zone wall clock (Grafana's interval rounded up to 1, 5, 10, 15 or 30 minutes, or 1, 2, 3, 4, 6, 12 or 24 hours; a day is the local day, 23 or 25 hours on a daylight-saving day).";
const QUEUE_INTERVALS = `metrics.queue_intervals(${RANGE}, ${INTERVAL_MINUTES}, \${zone:sqlstring}, ${QUEUES})`;

/** The queue statistics' units, for the tables that show them: rates as percentages, durations in seconds. */
function withQueueStatUnits(table: ReturnType<typeof tablePanel>): ReturnType<typeof tablePanel> {
  return table
    .overrideByRegexp('service_level.*|abandonment_rate', [{ id: 'unit', value: 'percentunit' }])
    .overrideByRegexp('.*_seconds', [{ id: 'unit', value: 's' }]);
}

/**
 * CSAT from the post-call survey (issue 24, point 5; survey_response): the first question is the satisfaction
 * rating, 1 to 5, and 4 or 5 is satisfied. Counted by when the caller answered. Callers who left before the agent
 * were not asked (caller_left); no_answer: asked, but no key the question takes.
 */
export const CSAT_QUERY = `select queue,
    count(*) filter (where question_index = 1 and status = 'answered')::int as surveyed,
    count(*) filter (where question_index = 1 and status = 'answered' and answer in ('4', '5'))::int as satisfied,
    (count(*) filter (where question_index = 1 and status = 'answered' and answer in ('4', '5')))::float8
      / nullif(count(*) filter (where question_index = 1 and status = 'answered'), 0) as csat,
    round(avg(case when question_index = 1 and status = 'answered' and answer ~ '^[0-9]$' then answer::int end), 2)::float8
      as avg_rating,
    count(*) filter (where question_index = 1 and status <> 'answered')::int as no_answer,
    count(*) filter (where status = 'callerLeft')::int as caller_left
  from metrics.survey_response
  where answered_at >= $__timeFrom() and answered_at < $__timeTo() and queue = any(${QUEUES})
  group by queue order by queue`;

function csatPanel() {
  return tablePanel('CSAT (post-call survey)', CSAT_QUERY)
    .description(
      "The post-call survey's first question (a 1–5 rating): surveyed = callers who answered it, satisfied = 4 or 5, CSAT = satisfied ÷ surveyed, and the mean rating. no_answer: asked, no key the question takes (or hung up). caller_left: the caller hung up before the agent, so no survey was played. Only queues connecting by conference can ask (docs/routing.md).",
    )
    .overrideByName('csat', [{ id: 'unit', value: 'percentunit' }]);
}

/** Queue performance over the time range, for the queues in $queue. */
export function queuePerformance(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-queues', 'Switchboard · Queue performance')
    .time({ from: 'now-24h', to: 'now' })
    .withVariable(queueVariable())
    // The contact center's time zone and interval length: intervals start on its wall clock. The zone is the
    // configured one (the selected queues' own when they share one, else SITE_TIME_ZONE), never the browser's.
    .withVariable(
      new QueryVariableBuilder('zone')
        .label('Time zone')
        .datasource(POSTGRES_DATASOURCE)
        .query(ZONE_QUERY)
        .definition(ZONE_QUERY)
        .refresh(VariableRefresh.OnTimeRangeChanged),
    )
    .withVariable(
      new CustomVariableBuilder('interval_minutes')
        .label('Interval (min)')
        // 1,440: the daily report, each day from local midnight (23 or 25 hours on a daylight-saving day).
        .values('15,30,60,1440')
        .current({ selected: true, text: '30', value: '30' }),
    );
  const total = (col: string) => `select ${col} from metrics.queue_totals(${RANGE}, ${QUEUES})`;
  d.withPanel(l.place(statPanel('Queued', total('queued')), 3, 4));
  d.withPanel(
    l.place(
      statPanel(
        'Answered',
        total('answered'),
        'short',
        'An agent took the call, or called the caller back (completed).',
      ),
      3,
      4,
    ),
  );
  d.withPanel(l.place(statPanel('Abandoned', total('abandoned'), 'short', ABANDON), 3, 4));
  d.withPanel(l.place(percentStat('Service level (SL1)', total('service_level'), SL1, 0.8), 3, 4));
  d.withPanel(l.place(percentStat('Service level (SL2)', total('service_level_abandoned'), SL2, 0.8), 3, 4));
  d.withPanel(
    l.place(
      statPanel('ASA', total('asa_seconds'), 's', 'Σ(agent connected − queued) ÷ answered.')
        .decimals(1)
        .noValue('no data'),
      3,
      4,
    ),
  );
  d.withPanel(
    l.place(
      statPanel('Abandonment rate', total('abandonment_rate'), 'percentunit', ABANDON).decimals(1).noValue('no data'),
      3,
      4,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'AHT',
        `select sum(aht_seconds * calls_handled) / nullif(sum(calls_handled), 0) as aht_seconds from metrics.queue_aht(${RANGE}, ${QUEUES})`,
        's',
        '(talk + hold + wrap-up) ÷ calls handled, from agent-state intervals.',
      )
        .decimals(1)
        .noValue('no data'),
      3,
      4,
    ),
  );
  d.withPanel(l.place(statPanel('Longest wait in range', total('max_wait_seconds'), 's').noValue('no data'), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks (flow-out)', total('callbacks')), 4, 4));
  d.withPanel(
    l.place(
      statPanel(
        'Short abandons',
        `select coalesce(sum(short_abandons), 0) as short_abandons from metrics.short_abandons(${RANGE}, ${QUEUES})`,
        'short',
        "Callers who hung up within the queue's shortAbandonSeconds (default 5 s): queued, not abandoned.",
      ),
      4,
      4,
    ),
  );
  d.withPanel(
    l.place(
      withQueueStatUnits(
        tablePanel(
          'Per queue',
          `select s.queue, s.queued, s.answered, s.answered_within, s.abandoned, s.callbacks, s.service_level, s.service_level_abandoned,
           s.asa_seconds, s.abandonment_rate, a.aht_seconds, s.max_wait_seconds
         from metrics.queue_stats(${RANGE}, 0, ${QUEUES}) s
         left join metrics.queue_aht(${RANGE}, ${QUEUES}) a on a.queue = s.queue
         order by s.queue`,
        ),
      ),
      16,
      8,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Flow-out per queue',
        `select queue, overflowed, timed_out, no_agents, sent_on, received
         from metrics.flow_out(${RANGE}, ${QUEUES}) order by queue`,
      ).description(
        'By when the caller left the queue: overflowed (queue full), timed out, no agents; sent on to another queue, and received from one. A call sent on counts as queued in each queue it passed through.',
      ),
      8,
      8,
    ),
  );
  d.withPanel(
    l.place(
      withQueueStatUnits(
        tablePanel(
          'Service level and ASA per interval',
          `select time, queue, queued, answered, answered_within, abandoned, service_level, service_level_abandoned,
           asa_seconds, abandonment_rate
         from ${QUEUE_INTERVALS}
         order by time, queue`,
        ).description(
          'Per $interval_minutes-minute interval starting on the $zone wall clock (daylight-saving days included; 1440 = one row per local day). SL1 and SL2 as above.',
        ),
      ),
      24,
      10,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Abandons and transfers',
        `select queue, queued, abandoned, avg_abandon_seconds, abandoned_within as abandoned_within_10s, short_abandons,
           transferred_out, transfer_rate
         from metrics.abandon_stats(${RANGE}, ${QUEUES}, 10) order by queue`,
      )
        .description(
          'Mean wait before abandoning, abandons within 10 s, short abandons (apart from abandoned), and calls the queue transferred out (its share of queued).',
        )
        .overrideByName('transfer_rate', [{ id: 'unit', value: 'percentunit' }])
        .overrideByName('avg_abandon_seconds', [{ id: 'unit', value: 's' }]),
      24,
      6,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        "Service level by the queue's formula",
        `select queue, sl_formula, answered, answered_within, abandoned, abandoned_within, short_abandons, offered,
           service_level
         from metrics.queue_service_level(${RANGE}, ${QUEUES}) order by queue`,
      )
        .description(
          "Each queue's chosen formula (PUT /api/admin/queues/{queue}/settings; docs/metrics.md): answered = within ÷ answered; answered_abandoned (default) = within ÷ (answered + abandoned); abandons_within_met = (within + abandoned within) ÷ (answered + abandoned); late_abandons = within ÷ (answered + abandoned after the threshold); the Teams Queues app's, over offered (queued less short abandons and overflows): teams_negative_abandon = within ÷ offered; teams_positive_abandon = (within + abandoned within) ÷ offered; teams_no_abandon = within ÷ (offered − abandoned within). Short abandons are in none.",
        )
        .overrideByName('service_level', [{ id: 'unit', value: 'percentunit' }]),
      14,
      6,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Repeat callers',
        `select queue, calls, repeated_24h, repeat_rate_24h, repeated_7d, repeat_rate_7d
         from metrics.repeat_callers(${RANGE}, ${QUEUES}) order by queue`,
      )
        .description(
          'A first-contact-resolution proxy: of the calls that arrived in the range from a known caller, the share followed by another call from the same caller within 24 h and within 7 days (by arrival).',
        )
        .overrideByRegexp('repeat_rate_.*', [{ id: 'unit', value: 'percentunit' }]),
      10,
      6,
    ),
  );
  d.withPanel(l.place(csatPanel(), 24, 6));
  d.withPanel(
    l.place(
      tablePanel(
        'Staffing (Erlang C)',
        `select i.time, i.queue, i.queued as calls, a.aht_seconds, t.sl_target_percent, t.sl_threshold_seconds,
           metrics.erlang_c_agents(i.queued, ${INTERVAL_MINUTES} * 60, a.aht_seconds, t.sl_target_percent / 100.0,
             t.sl_threshold_seconds) as agents_needed
         from ${QUEUE_INTERVALS} i
         join metrics.queue_aht(${RANGE}, ${QUEUES}) a on a.queue = i.queue
         join metrics.queue_threshold t on t.queue = i.queue
         order by i.time, i.queue`,
      )
        .description(
          "Agents needed per interval for the queue's target (sl_target_percent of calls answered within sl_threshold_seconds: its serviceLevelTarget, default 80 %, and serviceLevelSeconds as set now; PUT /api/admin/queues/{queue}/settings), by Erlang C from the interval's calls and the range's AHT (raw agents, before shrinkage).",
        )
        .overrideByName('aht_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('sl_threshold_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('sl_target_percent', [{ id: 'unit', value: 'percent' }]),
      24,
      8,
    ),
  );
  // The charts bucket by Grafana's interval rounded up to a length that divides a day, each bucket starting on the
  // $zone wall clock like the interval table (issue 27, point 5), never on UTC's.
  const series = (col: string) =>
    `select time, queue, ${col} from metrics.queue_intervals(${RANGE}, metrics.local_interval_minutes(${SERIES_SECONDS}),
       \${zone:sqlstring}, ${QUEUES}) order by time`;
  d.withPanel(
    l.place(
      seriesPanel('Service level over time (SL1)', series('service_level'), 'percentunit')
        .max(1)
        .description(`${SL1} ${SERIES_NOTE}`),
      12,
      8,
    ),
  );
  d.withPanel(l.place(seriesPanel('ASA over time', series('asa_seconds'), 's').description(SERIES_NOTE), 12, 8));
  d.withPanel(
    l.place(
      seriesPanel('Abandonment rate over time', series('abandonment_rate'), 'percentunit')
        .max(1)
        .description(`${ABANDON} ${SERIES_NOTE}`),
      12,
      8,
    ),
  );
  d.withPanel(
    l.place(
      seriesPanel(
        'Calls per interval',
        `select time, queue, calls from metrics.calls_per_local_interval(${RANGE}, ${SERIES_SECONDS}, \${zone:sqlstring}, ${QUEUES})
         order by time`,
        'short',
      ).description(`Calls by arrival. ${SERIES_NOTE}`),
      12,
      8,
    ),
  );
  return d.build();
}
