/**
 * `npm run bench:tabs [-- --tabs 200 --changes 40]`: what open Teams tabs cost the web process. N supervisor tabs
 * follow the live stream (GET /tabs/api/live) while an agent is set away and back M times through the admin API; it
 * reports memory per open stream, CPU per change with N tabs against none, and how long each change took to reach
 * every tab. The stack runs in this process, so CPU is the process's; the tabs' own parsing is counted in it too.
 */
import { parseArgs } from 'node:util';
import { agents } from '../../flows/index.js';
import { DEMO_SUPERVISOR } from '../../src/tabs/demo-sign-in.js';
import { startDemoStack } from './demo-stack.js';

const { values } = parseArgs({
  options: { tabs: { type: 'string', default: '200' }, changes: { type: 'string', default: '40' } },
});
const tabs = Number(values.tabs);
const changes = Number(values.changes);
const stack = await startDemoStack();
const agent = Object.keys(agents)[0]!;

const { token } = (await (
  await fetch(`${stack.webUrl}/tabs/api/demo-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: DEMO_SUPERVISOR.id }),
  })
).json()) as { token: string };

/** One tab: counts the floor events it receives and when the agent's state last changed in them. */
function openTab(onState: (state: string) => void, abort: AbortSignal): Promise<void> {
  return fetch(`${stack.webUrl}/tabs/api/live`, { headers: { authorization: `Bearer ${token}` }, signal: abort }).then(
    async (res) => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const data = buffer
              .slice(0, end)
              .split('\n')
              .find((l) => l.startsWith('data: '));
            buffer = buffer.slice(end + 2);
            if (data) {
              const floor = JSON.parse(data.slice(6)) as { agents: { agentId: string; state: string }[] };
              onState(floor.agents.find((a) => a.agentId === agent)?.state ?? '');
            }
          }
        }
      } catch {
        // aborted at the end of the run
      }
    },
  );
}

async function setState(state: 'away' | 'available'): Promise<void> {
  const res = await fetch(`${stack.webUrl}/api/admin/agents/${agent}/availability`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ state }),
  });
  if (!res.ok) throw new Error(`availability: HTTP ${res.status}`);
}

/** M changes with `open` tabs following: CPU ms per change and, per change, ms until every tab showed it. */
async function run(open: number): Promise<{ cpuMsPerChange: number; reach: number[]; rssMb: number }> {
  const abort = new AbortController();
  const seen = new Array<string>(open).fill('');
  const waiters: (() => void)[] = [];
  await Promise.all(
    Array.from({ length: open }, (_, i) => {
      let first = true;
      return new Promise<void>((connected) => {
        void openTab((state) => {
          seen[i] = state;
          if (first) {
            first = false;
            connected();
          }
          for (const w of waiters.splice(0)) w();
        }, abort.signal);
      });
    }),
  );
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const reach: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < changes; i++) {
    const state = i % 2 === 0 ? 'away' : 'available';
    const started = performance.now();
    await setState(state);
    while (open > 0 && !seen.every((s) => s === state)) await new Promise<void>((r) => waiters.push(r));
    reach.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  abort.abort();
  return { cpuMsPerChange: (used.user + used.system) / 1000 / changes, reach, rssMb };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
try {
  const none = await run(0);
  const many = await run(tabs);
  const figures = {
    tabs,
    changes,
    rss_mb_no_tabs: Math.round(none.rssMb),
    rss_mb_with_tabs: Math.round(many.rssMb),
    kb_per_open_tab: Math.round(((many.rssMb - none.rssMb) * 1024) / tabs),
    cpu_ms_per_change_no_tabs: Number(none.cpuMsPerChange.toFixed(1)),
    cpu_ms_per_change_with_tabs: Number(many.cpuMsPerChange.toFixed(1)),
    change_to_every_tab_ms_p50: Math.round(pct(many.reach, 50)),
    change_to_every_tab_ms_p99: Math.round(pct(many.reach, 99)),
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} finally {
  await stack.stop();
}
