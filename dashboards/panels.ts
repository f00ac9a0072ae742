import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import { POSTGRES_DATASOURCE, seriesSql, sql } from './postgres-query.js';

/*
 * The panels, variables and layout Switchboard's Grafana dashboards are built from (one file per dashboard beside
 * this one; dashboards.ts lists them). Every number comes from the `metrics` schema (src/db/migrations/
 * Migration20261128030000_metrics.ts, docs/metrics.md); panels only pick columns and pass the time range and
 * variables. Service-level panels say which definition they show: SL1 = answered within threshold ÷ answered,
 * SL2 = answered within threshold ÷ (answered + abandoned).
 */

export const QUEUES = `array[\${queue:sqlstring}]::text[]`;
export const AGENTS = `array[\${agent:sqlstring}]::text[]`;
export const RANGE = `$__timeFrom(), $__timeTo()`;

export type AnyPanel = stat.PanelBuilder | table.PanelBuilder | timeseries.PanelBuilder | statetimeline.PanelBuilder;

/** Places panels left to right, wrapping at Grafana's 24 columns. */
export class Layout {
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

export function statPanel(title: string, query: string, unit = 'short', description?: string): stat.PanelBuilder {
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

export function percentStat(title: string, query: string, description: string, goodAbove: number): stat.PanelBuilder {
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

export function tablePanel(title: string, query: string): table.PanelBuilder {
  return new table.PanelBuilder().title(title).datasource(POSTGRES_DATASOURCE).withTarget(sql(query));
}

export function seriesPanel(title: string, query: string, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(seriesSql(query))
    .unit(unit)
    .min(0);
}

export const link = (title: string, url: string) =>
  new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url);

export function queueVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('queue')
    .label('Queue')
    .datasource(POSTGRES_DATASOURCE)
    .query('select queue from metrics.queue_list order by 1')
    .definition('select queue from metrics.queue_list order by 1')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true);
}

export function agentVariable(): QueryVariableBuilder {
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

export const SL1 =
  "SL1: calls answered within the queue's threshold (its serviceLevelSeconds in force when the call was queued, default 30 s) ÷ calls answered. A completed callback is answered.";
export const SL2 =
  "SL2: calls answered within the queue's threshold ÷ (answered + abandoned). A completed callback is answered; a callback not (yet) completed and a short abandon are in neither.";
export const ABANDON = 'Abandoned in queue ÷ queued. Calls turned into callbacks are not abandoned.';

export function base(uid: string, title: string): DashboardBuilder {
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
