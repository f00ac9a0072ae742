import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  ConstantVariableBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import { POSTGRES_DATASOURCE, seriesSql, sql } from './postgres-query.js';

/*
 * Switchboard's Grafana dashboards. Every number comes from the `metrics` schema (src/db/migrations/
 * Migration20261128030000_metrics.ts, docs/metrics.md); panels only pick columns and pass the time range and
 * variables. Service-level panels say which definition they show: SL1 = answered within threshold ÷ answered,
 * SL2 = answered within threshold ÷ (answered + abandoned).
 */

const QUEUES = `array[\${queue:sqlstring}]::text[]`;
const AGENTS = `array[\${agent:sqlstring}]::text[]`;
/** The state timeline draws one row per agent: at most this many of the selected agents (by id). */
export const TIMELINE_MAX_AGENTS = 10;
/** The state timeline's maxDataPoints: Grafana's $__interval is the range ÷ this, rounded (docs/metrics.md). */
export const TIMELINE_MAX_POINTS = 200;
const RANGE = `$__timeFrom(), $__timeTo()`;

type AnyPanel = stat.PanelBuilder | table.PanelBuilder | timeseries.PanelBuilder | statetimeline.PanelBuilder;

/** Places panels left to right, wrapping at Grafana's 24 columns. */
class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  place<T extends AnyPanel>(panel: T, w: number, h: number): T {
    if (this.x + w > 24) {
      this.x = 0;
      this.y += this.rowHeight;
      this.rowHeight = 0;
    }
    panel.gridPos({ x: this.x, y: this.y, w, h });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return panel;
  }
}

function statPanel(title: string, query: string, unit = 'short', description?: string): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(title)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(sql(query))
    .unit(unit)
    .noValue('0')
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (description) p.description(description);
  return p;
}

function percentStat(title: string, query: string, description: string, goodAbove: number): stat.PanelBuilder {
  return statPanel(title, query, 'percentunit', description)
    .decimals(1)
    .noValue('no data')
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: 'red' },
        { value: goodAbove * 0.9, color: 'orange' },
        { value: goodAbove, color: 'green' },
      ]),
    );
}

function tablePanel(title: string, query: string): table.PanelBuilder {
  return new table.PanelBuilder().title(title).datasource(POSTGRES_DATASOURCE).withTarget(sql(query));
}

function seriesPanel(title: string, query: string, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(seriesSql(query))
    .unit(unit)
    .min(0);
}

const link = (title: string, url: string) => new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url);

function queueVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('queue')
    .label('Queue')
    .datasource(POSTGRES_DATASOURCE)
    .query('select queue from metrics.queue_list order by 1')
    .definition('select queue from metrics.queue_list order by 1')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true);
}

function agentVariable(): QueryVariableBuilder {
  // Multi-select with All (the default): the table lists the selected agents; the timeline draws the first
  // TIMELINE_MAX_AGENTS of them.
  return new QueryVariableBuilder('agent')
    .label('Agent')
    .datasource(POSTGRES_DATASOURCE)
    .query('select agent_id from metrics.agent_list order by 1')
    .definition('select agent_id from metrics.agent_list order by 1')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

const SL1 = 'SL1: calls answered within the queue threshold (default 20 s) ÷ calls answered.';
const SL2 = 'SL2: calls answered within the queue threshold ÷ (answered + abandoned). Callbacks are flow-outs.';
const ABANDON = 'Abandoned in queue ÷ queued. Calls turned into callbacks are not abandoned.';

function base(uid: string, title: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['switchboard', 'generated'])
    .editable()
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('Switchboard')
        .type(DashboardLinkType.Dashboards)
        .tags(['switchboard'])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}

export function wallboard(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-wallboard', 'Switchboard · Wallboard')
    .refresh('5s')
    .time({ from: 'now/d', to: 'now' })
    .description('Live: waiting now, longest wait, agents by state; today: service level (SL1) and abandonment.');
  d.withPanel(
    l.place(
      statPanel('Waiting now', `select coalesce(sum(waiting), 0) as waiting from metrics.queue_now($__timeTo())`),
      4,
      5,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Longest current wait',
        `select coalesce(max(longest_wait_seconds), 0) as longest_wait from metrics.queue_now($__timeTo())`,
        's',
      ).thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: 20, color: 'orange' },
          { value: 60, color: 'red' },
        ]),
      ),
      4,
      5,
    ),
  );
  for (const [title, state] of [
    ['Agents available', 'available'],
    ['Agents on call', 'onCall'],
    ['Agents in wrap-up', 'wrapUp'],
    ['Agents away', 'away'],
  ] as const) {
    d.withPanel(l.place(statPanel(title, `select agents from metrics.agents_now where state = '${state}'`), 4, 5));
  }
  d.withPanel(
    l.place(
      percentStat(
        'Service level today (SL1)',
        `select service_level from metrics.queue_totals(${RANGE}, null)`,
        SL1,
        0.8,
      ),
      6,
      5,
    ),
  );
  d.withPanel(
    l.place(
      percentStat(
        'Service level today (SL2)',
        `select service_level_abandoned from metrics.queue_totals(${RANGE}, null)`,
        SL2,
        0.8,
      ),
      6,
      5,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Abandonment today',
        `select abandonment_rate from metrics.queue_totals(${RANGE}, null)`,
        'percentunit',
        ABANDON,
      )
        .decimals(1)
        .noValue('no data'),
      6,
      5,
    ),
  );
  d.withPanel(l.place(statPanel('Answered today', `select answered from metrics.queue_totals(${RANGE}, null)`), 6, 5));
  d.withPanel(
    l.place(
      tablePanel(
        'Queues now',
        `select n.queue, n.waiting, n.longest_wait_seconds, n.agents_available, n.agents_on_call, n.agents_wrap_up, n.agents_away,
           s.service_level as service_level_today, s.abandonment_rate as abandonment_today
         from metrics.queue_now($__timeTo()) n
         left join metrics.queue_stats(${RANGE}, 0, null) s on s.queue = n.queue
         order by n.queue`,
      )
        .overrideByName('longest_wait_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('service_level_today', [{ id: 'unit', value: 'percentunit' }])
        .overrideByName('abandonment_today', [{ id: 'unit', value: 'percentunit' }]),
      24,
      8,
    ),
  );
  return d.build();
}

export function queuePerformance(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-queues', 'Switchboard · Queue performance')
    .time({ from: 'now-24h', to: 'now' })
    .withVariable(queueVariable());
  const total = (col: string) => `select ${col} from metrics.queue_totals(${RANGE}, ${QUEUES})`;
  d.withPanel(l.place(statPanel('Queued', total('queued')), 3, 4));
  d.withPanel(l.place(statPanel('Answered', total('answered')), 3, 4));
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
      tablePanel(
        'Per queue',
        `select s.queue, s.queued, s.answered, s.answered_within, s.abandoned, s.callbacks, s.service_level, s.service_level_abandoned,
           s.asa_seconds, s.abandonment_rate, a.aht_seconds, s.max_wait_seconds
         from metrics.queue_stats(${RANGE}, 0, ${QUEUES}) s
         left join metrics.queue_aht(${RANGE}, ${QUEUES}) a on a.queue = s.queue
         order by s.queue`,
      )
        .overrideByRegexp('service_level.*|abandonment_rate', [{ id: 'unit', value: 'percentunit' }])
        .overrideByRegexp('.*_seconds', [{ id: 'unit', value: 's' }]),
      16,
      8,
    ),
  );
  const series = (col: string) =>
    `select time, queue, ${col} from metrics.queue_stats(${RANGE}, $__interval_ms / 1000.0, ${QUEUES}) order by time`;
  d.withPanel(
    l.place(
      seriesPanel('Service level over time (SL1)', series('service_level'), 'percentunit').max(1).description(SL1),
      12,
      8,
    ),
  );
  d.withPanel(l.place(seriesPanel('ASA over time', series('asa_seconds'), 's'), 12, 8));
  d.withPanel(
    l.place(
      seriesPanel('Abandonment rate over time', series('abandonment_rate'), 'percentunit').max(1).description(ABANDON),
      12,
      8,
    ),
  );
  d.withPanel(
    l.place(
      seriesPanel(
        'Calls per interval',
        `select time, queue, calls from metrics.calls_per_interval(${RANGE}, $__interval_ms / 1000.0, ${QUEUES}) order by time`,
        'short',
      ),
      12,
      8,
    ),
  );
  return d.build();
}

export function agentPerformance(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-agents', 'Switchboard · Agent performance')
    .time({ from: 'now-24h', to: 'now' })
    .description(
      'Calls handled, AHT, occupancy and missed offers of all agents; per agent and state timeline for the selected agents ($agent).',
    )
    .withVariable(agentVariable());
  const totals = (col: string) => `select ${col} from metrics.agent_totals(${RANGE})`;
  d.withPanel(l.place(statPanel('Calls handled', totals('calls_handled')), 6, 4));
  d.withPanel(
    l.place(
      statPanel('AHT', totals('aht_seconds'), 's', '(talk + hold + wrap-up) ÷ calls handled.')
        .decimals(1)
        .noValue('no data'),
      6,
      4,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Occupancy',
        totals('occupancy'),
        'percentunit',
        '(talk + wrap-up) ÷ (talk + wrap-up + available + reserved).',
      )
        .decimals(1)
        .noValue('no data'),
      6,
      4,
    ),
  );
  d.withPanel(
    l.place(
      statPanel('Missed offers', totals('missed_offers'), 'short', 'Offers (reserved) not followed by onCall.'),
      6,
      4,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Agents',
        `select agent_id, calls_handled, aht_seconds, occupancy, missed_offers, talk_seconds, wrap_seconds, available_seconds
         from metrics.agent_stats(${RANGE}, ${AGENTS}) order by agent_id`,
      )
        .description('The agents selected in the Agent variable (All: every agent).')
        .overrideByName('occupancy', [{ id: 'unit', value: 'percentunit' }])
        .overrideByRegexp('.*_seconds', [{ id: 'unit', value: 's' }]),
      24,
      8,
    ),
  );
  d.withPanel(
    l.place(
      new statetimeline.PanelBuilder()
        .title(`Agent state timeline (first ${TIMELINE_MAX_AGENTS} selected agents)`)
        .description(
          `The state of each selected agent over the range; with more than ${TIMELINE_MAX_AGENTS} agents selected, the first ${TIMELINE_MAX_AGENTS} by id. Pick agents with the Agent variable. ` +
            'Per agent and interval of the panel ($__interval), the state held longest in it, from its first change: every change when the range is short enough.',
        )
        .datasource(POSTGRES_DATASOURCE)
        // Grafana's $__interval ≈ range ÷ maxDataPoints, rounded: 5 min over 24 h, 1 h over 7 days (what the benchmark
        // and the known-answer test pass); a state timeline cannot draw more changes per row than that anyway.
        .maxDataPoints(TIMELINE_MAX_POINTS)
        .withTarget(
          seriesSql(
            `select time, agent_id, state
             from metrics.agent_timeline(${RANGE}, array(select a from unnest(${AGENTS}) a order by a limit ${TIMELINE_MAX_AGENTS}), $__interval_ms / 1000.0)
             order by 1, 2`,
          ).format('table'),
        )
        .withTransformation({ id: 'partitionByValues', options: { fields: ['agent_id'], keepFields: false } }),
      24,
      10,
    ),
  );
  return d.build();
}

export function callExplorer(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-calls', 'Switchboard · Call explorer')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(new TextBoxVariableBuilder('caller').label('Caller or number').defaultValue(''))
    .withVariable(new TextBoxVariableBuilder('call').label('Call id').defaultValue(''))
    .withVariable(new ConstantVariableBuilder('temporal_ui').value('http://localhost:8080'));
  d.withPanel(
    l.place(
      tablePanel(
        'Calls',
        `select id, workflow_id, from_id, from_name, to_id, queue, agent_id, outcome, arrived_at, wait_seconds, recording_url
         from metrics.call_explorer
         where $__timeFilter(arrived_at)
           and (\${caller:sqlstring} = '' or from_id ilike '%' || \${caller:sqlstring} || '%'
                or from_name ilike '%' || \${caller:sqlstring} || '%')
         order by arrived_at desc
         limit 500`,
      )
        .overrideByName('id', [
          {
            id: 'links',
            value: [
              link('Show this call’s path', '/d/switchboard-calls?var-call=${__value.raw}&${__url_time_range}').build(),
            ],
          },
        ])
        .overrideByName('workflow_id', [
          {
            id: 'links',
            value: [
              link('Temporal workflow', '${temporal_ui}/namespaces/default/workflows/${__value.raw}')
                .targetBlank(true)
                .build(),
            ],
          },
        ])
        .overrideByName('recording_url', [
          { id: 'links', value: [link('Recording', '${__value.raw}').targetBlank(true).build()] },
        ])
        .overrideByName('wait_seconds', [{ id: 'unit', value: 's' }]),
      24,
      12,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Call path',
        `select seq, type, at, payload::text as payload from metrics.call_path where call_id = \${call:sqlstring} order by seq`,
      ),
      24,
      10,
    ),
  );
  return d.build();
}

export function voicemailCallbacks(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-voicemail-callbacks', 'Switchboard · Voicemail and callbacks')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(queueVariable());
  const cb = (col: string) => `select ${col} from metrics.callback_stats(${RANGE}, ${QUEUES})`;
  d.withPanel(l.place(statPanel('Callbacks requested', cb('requested')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks completed', cb('completed')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks failed', cb('failed')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks pending', cb('pending')), 4, 4));
  d.withPanel(
    l.place(statPanel('Voicemails', `select voicemails from metrics.voicemail_stats(${RANGE}, ${QUEUES})`), 4, 4),
  );
  d.withPanel(
    l.place(
      statPanel('Voicemails not handled', `select unhandled from metrics.voicemail_stats(${RANGE}, ${QUEUES})`),
      4,
      4,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Callback list',
        `select requested_at, queue, number, status, attempts, completed_at, agent_id, call_id
         from metrics.callback_list
         where $__timeFilter(requested_at) and (cardinality(${QUEUES}) = 0 or queue = any (${QUEUES}))
         order by requested_at desc limit 500`,
      ),
      12,
      10,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Voicemail list',
        `select recorded_at, queue, from_id, from_name, duration_seconds, recording_url, handled_at, handled_by, call_id
         from metrics.voicemail_list
         where $__timeFilter(recorded_at) and (cardinality(${QUEUES}) = 0 or queue = any (${QUEUES}))
         order by recorded_at desc limit 500`,
      ).overrideByName('recording_url', [
        { id: 'links', value: [link('Listen', '${__value.raw}').targetBlank(true).build()] },
      ]),
      12,
      10,
    ),
  );
  return d.build();
}

/** Every dashboard, by output file name. */
export function allDashboards(): Record<string, Dashboard> {
  return {
    'wallboard.json': wallboard(),
    'queue-performance.json': queuePerformance(),
    'agent-performance.json': agentPerformance(),
    'call-explorer.json': callExplorer(),
    'voicemail-callbacks.json': voicemailCallbacks(),
  };
}
