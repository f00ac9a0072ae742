import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The panel queries of the generated dashboards (dashboards/generated/*.json), as Grafana stores them. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  rawSql: string;
}

interface DashboardJson {
  panels: { title: string; targets?: { rawSql: string }[] }[];
  templating?: { list: { type: string; name: string; query?: string }[] };
}

async function loadDashboards(dashboardsDir: string): Promise<[string, DashboardJson][]> {
  const dir = path.join(dashboardsDir, 'generated');
  const out: [string, DashboardJson][] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    out.push([file, JSON.parse(await readFile(path.join(dir, file), 'utf8')) as DashboardJson]);
  }
  return out;
}

export async function loadPanelQueries(dashboardsDir: string): Promise<PanelQuery[]> {
  const out: PanelQuery[] = [];
  for (const [file, d] of await loadDashboards(dashboardsDir)) {
    for (const p of d.panels)
      for (const t of p.targets ?? []) out.push({ dashboard: file, panel: p.title, rawSql: t.rawSql });
  }
  return out;
}

/** The query variables of the generated dashboards ($queue, $agent…): Grafana runs them on load and on a new range. */
export async function loadVariableQueries(dashboardsDir: string): Promise<(PanelQuery & { name: string })[]> {
  const out: (PanelQuery & { name: string })[] = [];
  for (const [file, d] of await loadDashboards(dashboardsDir)) {
    for (const v of d.templating?.list ?? []) {
      if (v.type === 'query' && v.query)
        out.push({ dashboard: file, panel: `$${v.name} (variable)`, name: v.name, rawSql: v.query });
    }
  }
  return out;
}
