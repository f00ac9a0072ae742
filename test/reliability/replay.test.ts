import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowInterceptorsPath, workflowsPath } from '../../src/temporal/worker.js';

// Histories recorded by each release, replayed against today's workflow and flow code: a change that would break
// calls, queues or agents already running (a non-deterministic change without a patch or `call.changed`, see
// docs/flows.md) fails here, in CI, before it is deployed. test/histories/<area>/<date>-<what>/ holds one release's
// recordings: calls from the flow tests (`npm run histories:record`), queues and agents from the stack
// (`npm run histories:record-routing`), and histories from the field (agents/: issue 28's SIGKILL). A release's folder
// is written once and never re-recorded: calls that started on it must finish on the next one, and queues and agents
// live for days. releases.json lists every folder and how many histories it holds, so none can go missing unseen.
const dir = new URL('../histories/', import.meta.url);

describe('recorded histories', () => {
  it('every release listed in releases.json is there, whole, and nothing unlisted is', async () => {
    const listed = JSON.parse(await readFile(new URL('releases.json', dir), 'utf8')) as Record<string, number>;
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin'));
    const onDisk: Record<string, number> = {};
    for (const f of files) {
      const folder = f.split('/').slice(0, -1).join('/');
      onDisk[folder] = (onDisk[folder] ?? 0) + 1;
    }
    expect(onDisk).toEqual(listed);
    expect(Object.keys(listed).some((f) => f.startsWith('calls/'))).toBe(true);
    expect(Object.keys(listed).some((f) => f.startsWith('routing/'))).toBe(true);
  });

  // The production worker (src/temporal/worker.ts) bundles workflows/interceptors.ts with every workflow. They add no
  // command, but their async wrappers shift by a few microtasks when each branch of a racing workflow issues its
  // commands, so a history replays as production would replay it only with them loaded (engineer G found 4 that
  // replay without them and not with them). Folders recorded without them (without-interceptors.json says why) are
  // replayed as they were recorded, and checked to be the only ones that need it.
  it('replay against the current code with the production workflow interceptors', async () => {
    const without = await recordedWithoutInterceptors();
    const files = (await historyFiles()).filter((f) => !without.has(folderOf(f)));
    expect(files.length).toBeGreaterThan(0);
    const { replayed, failures } = await replay(files, [workflowInterceptorsPath]);
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });

  it('histories recorded without the interceptors replay as recorded, and the list of such folders is exact', async () => {
    const without = await recordedWithoutInterceptors();
    const listed = JSON.parse(await readFile(new URL('releases.json', dir), 'utf8')) as Record<string, number>;
    for (const folder of without) expect(Object.keys(listed)).toContain(folder);
    const files = (await historyFiles()).filter((f) => without.has(folderOf(f)));
    const asRecorded = await replay(files, []);
    expect(asRecorded.failures).toEqual([]);
    expect(asRecorded.replayed).toBe(files.length);
    // Each listed folder needs the exception: some history of it does not replay with the interceptors.
    const withThem = await replay(files, [workflowInterceptorsPath]);
    expect(new Set(withThem.failures.map((f) => folderOf(f.split(': ')[0]!.replaceAll(':', '/'))))).toEqual(without);
  });
});

async function historyFiles(): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin')).sort();
}

const folderOf = (file: string): string => file.split('/').slice(0, -1).join('/');

async function recordedWithoutInterceptors(): Promise<Set<string>> {
  const text = await readFile(new URL('without-interceptors.json', dir), 'utf8');
  return new Set(Object.keys(JSON.parse(text) as Record<string, string>));
}

async function replay(files: string[], workflowModules: string[]): Promise<{ replayed: number; failures: string[] }> {
  const histories = await Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.history\.bin$/, '').replaceAll('/', ':'),
      history: temporal.api.history.v1.History.decode(await readFile(new URL(f, dir))),
    })),
  );
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowsPath, interceptors: { workflowModules }, replayName: 'recorded-histories' },
    histories,
  )) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return { replayed, failures };
}
