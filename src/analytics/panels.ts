import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The panel queries of the generated dashboards (dashboards/generated/*.json), as Grafana stores them. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  rawSql: string;
}

export async function loadPanelQueries(dashboardsDir: string): Promise<PanelQuery[]> {
  const dir = path.join(dashboardsDir, 'generated');
  const out: PanelQuery[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const d = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
      panels: { title: string; targets?: { rawSql: string }[] }[];
    };
    for (const p of d.panels) for (const t of p.targets ?? []) out.push({ dashboard: file, panel: p.title, rawSql: t.rawSql });
  }
  return out;
}
