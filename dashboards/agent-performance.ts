import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import { POSTGRES_DATASOURCE, seriesSql } from './postgres-query.js';
import { agentVariable, AGENTS, base, Layout, RANGE, statPanel, tablePanel } from './panels.js';

/** The state timeline draws one row per agent: at most this many of the selected agents (by id). */
export const TIMELINE_MAX_AGENTS = 10;
/** The state timeline's maxDataPoints: Grafana's $__interval is the range ÷ this, rounded (docs/metrics.md). */
export const TIMELINE_MAX_POINTS = 200;

/** Agent performance over the time range: all agents' totals; per agent and state timeline for $agent. */
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
      statPanel(
        'Missed offers',
        totals('missed_offers'),
        'short',
        'Agent non-response: offers the agent did not answer (rang out, declined, no key pressed). Rings stopped because another agent answered or the caller hung up, and expired reservations, are not misses.',
      ),
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
      tablePanel(
        'Rings by outcome',
        `select agent_id, offers, taken, not_answered, cancelled, expired, other
         from metrics.ring_outcomes(${RANGE}, ${AGENTS}) order by agent_id`,
      ).description(
        "How each offer to the selected agents ended: taken; not answered (rang out, declined: the agent's missed offers); cancelled (another member of an attendant ring answered, or the caller hung up while it rang: not the agent's doing); expired (the offer's outcome never came).",
      ),
      24,
      6,
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
  d.withPanel(
    l.place(
      tablePanel(
        'Wrap-up codes',
        `select agent_id, code, count(*)::int as calls
         from metrics.call_wrap_up
         where at >= $__timeFrom() and at < $__timeTo() and agent_id = any(${AGENTS})
         group by agent_id, code order by agent_id, calls desc, code`,
      ).description(
        'Calls by the wrap-up code the agent gave them (agent tab or admin API), per selected agent, counted when the code was saved. Calls given no code are not counted.',
      ),
      24,
      8,
    ),
  );
  return d.build();
}
