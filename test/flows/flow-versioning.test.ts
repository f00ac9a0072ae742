import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { FlowTest, replaceFlows } from '../../devkit/flow-testing/index.js';
import { workflowsPath } from '../../src/temporal/worker.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { queues as configuredQueues } from '../../flows/index.js';

// Deploying a changed flow while calls are in it (docs/flows.md, "Changing a flow"). The deploy itself runs on the
// dev server in real time (the time-skipping server can't follow a replaced worker), with a 15-second queue.
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/flow-versions/${name}.ts`, import.meta.url));
const queues = { ...configuredQueues, support: { ...configuredQueues.support!, maxWaitSeconds: 15 } };

let t: FlowTest | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('changing a flow while calls are in it', () => {
  it('a call waiting when v2 is deployed finishes on v1; a call after the deploy runs v2', async () => {
    t = await FlowTest.start({ agents: 'busy', flows: fixture('v1'), queues, server: 'dev' });
    const before = await t.call({ dial: 'ra-anything', from: '+14255550111' });
    await before.hears('hold-music.wav');

    await t.deploy(fixture('v2'));
    const after = await t.call({ dial: 'ra-anything', from: '+14255550112' });
    await after.hears('hold-music.wav');

    // Both wait out the queue's 15 seconds: v1's ending for the first, v2's for the second.
    const [old, fresh] = await Promise.all([before.result(), after.result()]);
    expect(old.outcome).toBe('ended');
    expect(before.heard().at(-1)).toBe('goodbye.wav');
    expect(before.path()).not.toContain('isOpen');
    expect(before.record()!.tags ?? []).toEqual([]);
    expect(fresh.outcome).toBe('voicemail');
    expect(after.path()).toEqual(['answer', 'tag', 'isOpen', 'play', 'queue', 'voicemail']);
    expect(after.record()!.tags).toEqual(['v2']);
  });

  it('replays a v1 call against guarded v2, and fails it against the same change without `changed`', async () => {
    t = await FlowTest.start({ agents: 'busy', flows: fixture('v1'), queues });
    const caller = await t.call({ dial: 'ra-anything' });
    expect((await caller.result()).outcome).toBe('ended');
    const history = await caller.history();

    const replay = (flows: string) =>
      Worker.runReplayHistory(
        {
          workflowsPath,
          bundlerOptions: { webpackConfigHook: (c) => replaceFlows(c, flows) },
          // The flow kit's histories are encrypted through its payload codec, as production's are.
          dataConverter: ephemeralDataConverter(),
        },
        history,
      );
    await expect(replay(fixture('v2'))).resolves.toBeUndefined();
    await expect(replay(fixture('v2-unguarded'))).rejects.toThrow(/[Nn]ondetermin|[Dd]eterminism/);
  });
});
