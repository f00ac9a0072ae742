import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowsPath } from '../../src/temporal/worker.js';

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

  it('replay against the current code without a determinism error', async () => {
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin')).sort();
    const histories = await Promise.all(
      files.map(async (f) => ({
        workflowId: f.replace(/\.history\.bin$/, '').replaceAll('/', ':'),
        history: temporal.api.history.v1.History.decode(await readFile(new URL(f, dir))),
      })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowsPath, replayName: 'recorded-histories' },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
