import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowsPath } from '../../src/temporal/worker.js';
import { codecOf, dataConverterOf } from '../../src/temporal/data-converter.js';
import { encodeHistoryPayloads } from '../../src/temporal/history-codec.js';
import { isEncrypted, newCodecKey, parseCodecKeys } from '../../src/temporal/payload-codec.js';

// Issue 22, point 1: Temporal's payloads are encrypted from now on, and calls, queues and agents that started before
// still run on the new workers. The recorded histories (test/histories, all written before the codec) replay on a
// worker whose data converter has the codec: it passes their plain payloads through. The same histories with every
// payload encrypted, as a worker with the codec writes them, replay too.
const dir = new URL('../histories/', import.meta.url);
const codec = codecOf(parseCodecKeys(newCodecKey('replay')));

async function recorded() {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.history\.bin$/, '').replaceAll('/', ':'),
      history: temporal.api.history.v1.History.decode(await readFile(new URL(f, dir))),
    })),
  );
}

async function replay(histories: { workflowId: string; history: unknown }[]) {
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowsPath, dataConverter: dataConverterOf(codec), replayName: 'recorded-histories-through-codec' },
    histories,
  )) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return { failures, replayed };
}

describe('recorded histories through the payload codec', () => {
  it('replay as they were written, before the codec (plain payloads pass through)', async () => {
    const histories = await recorded();
    expect(histories.length).toBeGreaterThan(0);
    expect(await replay(histories)).toEqual({ failures: [], replayed: histories.length });
  });

  it('replay with their payloads encrypted as the codec writes them (markers stay as the SDK core writes them)', async () => {
    const histories = await recorded();
    const encrypted = await Promise.all(
      histories.map(async (h) => ({ ...h, history: await encodeHistoryPayloads(h.history, codec) })),
    );
    // They are encrypted: every workflow's input, as its first event holds it.
    const inputs = encrypted.flatMap(
      (h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [],
    );
    expect(inputs.length).toBeGreaterThanOrEqual(histories.length);
    expect(inputs.filter((p) => !isEncrypted(p))).toEqual([]);
    expect(await replay(encrypted)).toEqual({ failures: [], replayed: histories.length });
  });
});
