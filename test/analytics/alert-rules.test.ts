import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import {
  PROMETHEUS_DATASOURCE,
  WORKFLOW_TASK_FAILURES_METRIC,
  WORKFLOW_TASK_FAILURES_QUERY,
  WORKFLOW_TASK_FAILURES_RUNBOOK,
} from '../../dashboards/alerts.js';

// The workflow-task-failure alert as the files Prometheus and Grafana load (written by `npm run dashboards`; the
// dashboards test fails when they are stale). The metric it names is the one test/reliability/workflow-task-failures.test.ts
// finds in /metrics when workflow tasks fail.
const run = promisify(execFile);
const load = async (file: string) => yaml.load(await readFile(file, 'utf8'));

interface PrometheusRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface GrafanaRule {
  uid: string;
  condition: string;
  data: {
    refId: string;
    datasourceUid: string;
    model: {
      expr?: string;
      type?: string;
      expression?: string;
      conditions?: { evaluator: { type: string; params: number[] } }[];
    };
  }[];
  noDataState: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rulesFile = 'dashboards/alerts/switchboard.rules.yml';
const prometheusRule = async () =>
  ((await load(rulesFile)) as { groups: { rules: PrometheusRule[] }[] }).groups[0]!.rules[0]!;
const grafanaRule = async () =>
  ((await load('dashboards/provisioning/alerting/switchboard.yaml')) as { groups: { rules: GrafanaRule[] }[] })
    .groups[0]!.rules[0]!;

/** The metrics a PromQL expression reads and the labels its aggregation keeps, from its syntax tree. */
function readPromql(expr: string): { metrics: Set<string>; groupedBy: string[]; errors: number } {
  const out = { metrics: new Set<string>(), groupedBy: [] as string[], errors: 0 };
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) out.errors++;
      const text = expr.slice(node.from, node.to);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') out.metrics.add(text);
      if (node.name === 'LabelName' && node.node.parent?.name === 'GroupingLabels') out.groupedBy.push(text);
    },
  });
  return out;
}

// Prometheus's own checker and rule unit tests: bin/bootstrap.sh puts promtool (Debian's prometheus) in .venv.
const promtool = process.env.PROMTOOL ?? path.resolve('.venv/prometheus/usr/bin/promtool');

describe('the workflow task failure alert', () => {
  it('for Prometheus: fires on any failure of the SDK metric, by workflow type, and says where the runbook is', async () => {
    const rule = await prometheusRule();
    expect(rule.alert).toBe('SwitchboardWorkflowTaskFailures');
    expect(rule.expr).toBe(`${WORKFLOW_TASK_FAILURES_QUERY} > 0`);
    const promql = readPromql(rule.expr);
    expect(promql.errors).toBe(0);
    expect([...promql.metrics]).toEqual([WORKFLOW_TASK_FAILURES_METRIC]);
    expect(promql.groupedBy).toEqual(['workflow_type', 'failure_reason']);
    expect(rule.annotations.summary).toContain('{{ $labels.workflow_type }}');
    expect(rule.annotations.runbook).toBe(WORKFLOW_TASK_FAILURES_RUNBOOK);
  });

  it('for Grafana: the same query on the provisioned Prometheus datasource, over 0, with no `$` where Grafana expands variables', async () => {
    const rule = await grafanaRule();
    const prometheus = await prometheusRule();
    const query = rule.data.find((d) => d.model.expr !== undefined)!;
    expect(query.model.expr).toBe(WORKFLOW_TASK_FAILURES_QUERY);
    expect(`${query.model.expr} > 0`).toBe(prometheus.expr);
    const datasources = (await load('dashboards/provisioning/datasources/prometheus.yaml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: PROMETHEUS_DATASOURCE.uid, type: 'prometheus', url: '${PROMETHEUS_URL}' }),
    ]);
    expect(query.datasourceUid).toBe(PROMETHEUS_DATASOURCE.uid);
    // The condition is a threshold over that query at 0.
    const condition = rule.data.find((d) => d.refId === rule.condition)!;
    expect(condition).toMatchObject({
      datasourceUid: '__expr__',
      model: { type: 'threshold', expression: query.refId },
    });
    expect(condition.model.conditions).toEqual([{ evaluator: { type: 'gt', params: [0] } }]);
    // No failure anywhere is no series: healthy, not "no data".
    expect(rule.noDataState).toBe('OK');
    expect(rule.annotations).toEqual(prometheus.annotations);
    expect(JSON.stringify(rule.labels)).not.toContain('$');
  });

  it('links a section of docs/operations.md that exists, and Grafana gets the rule and the datasource in docker-compose', async () => {
    const [file, anchor] = WORKFLOW_TASK_FAILURES_RUNBOOK.split('#') as [string, string];
    const headings = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3).toLowerCase().replaceAll(' ', '-'));
    expect(headings).toContain(anchor);
    const compose = await readFile('docker-compose.yml', 'utf8');
    expect(compose).toContain('./dashboards/provisioning/alerting:/etc/grafana/provisioning/alerting:ro');
    expect(compose).toContain('./dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources:ro');
    expect(compose).toMatch(/PROMETHEUS_URL: \$\{PROMETHEUS_URL:-/);
  });

  it('passes promtool, and keeps firing for a stuck task retried up to 10 minutes apart', async () => {
    const rule = await prometheusRule();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-alerts-'));
    try {
      await run(promtool, ['check', 'rules', rulesFile]);
      const series = (labels: string) => `${WORKFLOW_TASK_FAILURES_METRIC}{${labels}}`;
      // A stuck agent task on two workers (Temporal retries it slower and slower, up to 10 minutes apart) and a call
      // workflow's task that failed once at minute 5 and then went through.
      const stuck = { workflow_type: 'agentWorkflow', failure_reason: 'NonDeterminismError' };
      const once = { workflow_type: 'callWorkflow', failure_reason: 'WorkflowError' };
      const input_series = [
        {
          series: series('workflow_type="agentWorkflow",failure_reason="NonDeterminismError",instance="w1"'),
          values: '_ 2 3 3 4 4 4 4 5x9 6x9 7x9 8',
        },
        {
          series: series('workflow_type="agentWorkflow",failure_reason="NonDeterminismError",instance="w2"'),
          values: '_x12 1x40',
        },
        {
          series: series('workflow_type="callWorkflow",failure_reason="WorkflowError",instance="w1"'),
          values: '_x5 1x40',
        },
      ];
      const alert = (labels: Record<string, string>) => ({
        exp_labels: { ...rule.labels, ...labels },
        exp_annotations: {
          ...rule.annotations,
          summary: `${labels.workflow_type} workflow tasks are failing (${labels.failure_reason})`,
        },
      });
      const alert_rule_test = Array.from({ length: 39 }, (_, minute) => ({
        eval_time: `${minute}m`,
        alertname: rule.alert,
        exp_alerts: [...(minute >= 1 ? [alert(stuck)] : []), ...(minute >= 5 && minute < 20 ? [alert(once)] : [])],
      }));
      const tests = path.join(dir, 'tests.yml');
      await writeFile(
        tests,
        yaml.dump({
          rule_files: [path.resolve(rulesFile)],
          evaluation_interval: '1m',
          tests: [{ interval: '1m', input_series, alert_rule_test }],
        }),
      );
      const { stdout } = await run(promtool, ['test', 'rules', tests]);
      expect(stdout).toContain('SUCCESS');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
