import { describe, expect, it } from 'vitest';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import { expectReplayCheck } from '../../test/helpers/replay-check.js';

// The VIP line (flows/vip-line.ts): a CRM lookup by caller number raises a VIP's priority.
const flowTests = flowTestEachTest();

describe('VIP line', () => {
  it('a VIP customer is welcomed, tagged and queued at priority 1', async () => {
    const t = await flowTests.start({ agents: 'accept' });
    const caller = await t.call({ dial: 'ra-support-vip', from: '+14255550150' });
    await caller.hears('vip-welcome.wav');
    expect((await caller.result()).outcome).toBe('connected');
    expect(caller.record()).toMatchObject({ tags: ['vip'], data: { customer: 'Contoso Ltd' }, queue: 'support' });
    expect(caller.timeline().find((e) => e.type === 'queued')?.payload).toMatchObject({ priority: 1 });
    expect(caller.path()).toEqual(['answer', 'lookup', 'set', 'setPriority', 'tag', 'play', 'queue']);
  });

  it('a caller the CRM does not know waits as usual', async () => {
    const t = await flowTests.start({ agents: 'accept' });
    const caller = await t.call({ dial: 'ra-support-vip', from: '+14255550199' });
    await caller.hears('greeting.wav');
    expect((await caller.result()).outcome).toBe('connected');
    expect(caller.record()!.tags ?? []).toEqual([]);
    expect(caller.timeline().find((e) => e.type === 'queued')?.payload).toMatchObject({ priority: 3 });
  });

  it('a CRM that fails gives the fallback: the caller is served, and the failure is on the timeline', async () => {
    const t = await flowTests.start({
      agents: 'accept',
      lookups: {
        customerByPhone: async () => {
          throw new Error('CRM unavailable (503)');
        },
      },
    });
    const caller = await t.call({ dial: 'ra-support-vip', from: '+14255550150' });
    await caller.hears('greeting.wav');
    expect((await caller.result()).outcome).toBe('connected');
    expect(caller.timeline().find((e) => e.type === 'lookupFailed')?.payload).toMatchObject({
      name: 'customerByPhone',
    });
    expect(caller.record()!.tags ?? []).toEqual([]);
  });
});

// Issue 28: runs last. Every history the tests above wrote (calls, queues, agents), kept as each test's server
// stopped, replays on a fresh worker with the workflow code that wrote it.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
});
