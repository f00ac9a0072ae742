import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowsPath } from '../src/temporal/worker.js';

// The call histories recorded from the flow tests (`npm run histories:record`) replayed against today's workflow
// and flow code: a change that would break calls already in progress (a non-deterministic change without
// `call.changed`, see docs/flows.md) fails here, in CI, before it is deployed. Histories recorded by earlier releases
// are kept in sub-folders (test/histories/<release>/): a call that started on an older release must still finish.
// The queue and agent workflows' histories (`npm run histories:record-routing`, in routing-current/) replay here too:
// those workflows live for days, so every release meets runs an older one started.
const dir = new URL('./histories/', import.meta.url);

describe('recorded call histories', () => {
  it('replay against the current code without a determinism error', async () => {
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const histories = await Promise.all(
      files.map(async (f) => ({
        workflowId: f.replace(/\.history\.bin$/, '').replaceAll('/', ':'),
        history: temporal.api.history.v1.History.decode(await readFile(new URL(f, dir))),
      })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'recorded-histories' }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
