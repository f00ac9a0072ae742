import { describe, expect, it } from 'vitest';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import { expectReplayCheck } from '../../test/helpers/replay-check.js';

// The main line (flows/main-line.ts) with simulated callers, on the time-skipping server.
const flowTests = flowTestEachTest();

describe('main line', () => {
  it('in business hours: menu, 2 for support, an agent takes the call', async () => {
    const t = await flowTests.start({ agents: 'accept' });
    const caller = await t.call({ dial: 'ra-main', from: '+14255550123', at: { weekday: 'tue', time: '10:00' } });
    await caller.hears('main-menu.wav');
    await caller.press('2');
    const result = await caller.result();
    expect(result.outcome).toBe('connected');
    expect(caller.path()).toEqual(['answer', 'isOpen', 'menu', 'set', 'queue']);
    expect(caller.record()).toMatchObject({ flow: 'main-line', queue: 'support', data: { department: 'support' } });
  });

  it('press 2, wait 40 minutes with every agent busy: the callback offer is let go, the queue times out, voicemail', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'wed', time: '09:30' } });
    await caller.hears('main-menu.wav');
    await caller.press('2');
    await caller.hears('hold-music.wav');
    await caller.waits('40m');
    await caller.hears('callback-offer.wav'); // after 2 minutes; the caller presses nothing and stays
    await caller.hears('voicemail-greeting.wav'); // support's 20-minute timeout sends the caller to its voicemail
    const result = await caller.result();
    expect(result.outcome).toBe('voicemail');
    expect(caller.voicemail()).toMatchObject({ box: 'support', status: 'recorded', notified: true });
    expect(caller.record()!.waitSeconds).toBeGreaterThanOrEqual(1200);
    expect(caller.timeline().find((e) => e.type === 'queueExit')?.payload).toMatchObject({ reason: 'timeout' });
    expect(caller.path()).toEqual(['answer', 'isOpen', 'menu', 'set', 'queue', 'offerCallback', 'voicemail']);
  });

  it('a wrong key, then nothing: the caller hears why each time, then lands in support anyway', async () => {
    const t = await flowTests.start({ agents: 'accept' });
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'thu', time: '11:00' } });
    await caller.hears('main-menu.wav');
    await caller.press('9');
    await caller.hears('invalid-option.wav');
    await caller.hears('main-menu.wav');
    // No key: 5 s of (skipped) silence per try.
    await caller.waits('6s');
    await caller.hears('no-input.wav');
    await caller.waits('6s');
    const result = await caller.result();
    expect(result.outcome).toBe('connected');
    const types = caller.timeline().map((e) => e.type);
    expect(types.filter((x) => x === 'verb:menu:invalid')).toHaveLength(1);
    expect(types.filter((x) => x === 'verb:menu:noInput')).toHaveLength(2);
    expect(types).toContain('verb:menu:triesUsed');
    expect(caller.record()).toMatchObject({ queue: 'support' });
  });

  it('after hours: the closed message, a message in the after-hours box, goodbye', async () => {
    const t = await flowTests.start();
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'tue', time: '20:15' } });
    await caller.hears('closed.wav');
    await caller.hears('after-hours.wav');
    const result = await caller.result();
    expect(result.outcome).toBe('voicemail');
    expect(caller.heard()).toEqual(['closed.wav', 'after-hours.wav', 'goodbye.wav']);
    expect(caller.voicemail()).toMatchObject({ box: 'after-hours', status: 'recorded' });
    expect(caller.record()).toMatchObject({ tags: ['after-hours'] });
    expect(caller.path()).toEqual(['answer', 'isOpen', 'tag', 'play', 'voicemail', 'hangup']);
  });

  it('a recordings store that cannot write: retried, then recorded as failed on the timeline, and the call goes on', async () => {
    const t = await flowTests.start();
    t.graph.recordingStoreDown = true;
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'sun', time: '10:00' } });
    await caller.hears('closed.wav');
    const result = await caller.result();
    expect(result.outcome).toBe('voicemail');
    expect(t.graph.storeAttempts).toBeGreaterThan(1);
    expect(caller.timeline().map((e) => e.type)).toContain('voicemailStoreFailed');
    expect(caller.timeline().find((e) => e.type === 'verb:voicemail:done')?.payload).toMatchObject({
      outcome: 'failed',
    });
    expect(caller.heard().at(-1)).toBe('goodbye.wav');
  });

  it('on Christmas Day: the holiday message, with the holiday on the call', async () => {
    const t = await flowTests.start();
    const caller = await t.call({ dial: 'ra-main', at: { date: '12-25', time: '10:00' } });
    caller.atTheBeep('hangUp'); // said before the beep can come
    await caller.hears('holiday.wav');
    const result = await caller.result();
    expect(result.outcome).toBe('voicemail');
    expect(caller.record()).toMatchObject({ data: { holiday: 'Christmas Day' } });
    // Hanging up at the beep is recorded, not lost.
    expect(caller.voicemail()).toMatchObject({ box: 'after-hours', status: 'failed' });
  });

  it('an admin-added holiday closes the line that day', async () => {
    const t = await flowTests.start({
      scheduleExceptions: { 'main-office': [{ date: '03-03', name: 'Company offsite', kind: 'holiday' }] },
    });
    const caller = await t.call({ dial: 'ra-main', at: { date: '03-03', time: '10:00' } });
    await caller.hears('holiday.wav');
    await caller.result();
    expect(caller.record()).toMatchObject({ data: { holiday: 'Company offsite' }, tags: ['after-hours'] });
  });

  it('a menu prompt Graph cannot play: the caller still gets the menu tries, then support', async () => {
    const t = await flowTests.start({ agents: 'accept' });
    t.graph.refusedPrompts.add('main-menu.wav');
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'fri', time: '15:00' } });
    // Silence instead of the menu: the no-input prompt each time, then the fallback.
    await caller.waits('20s');
    expect((await caller.result()).outcome).toBe('connected');
    const types = caller.timeline().map((e) => e.type);
    expect(types.filter((x) => x === 'promptFailed')).toHaveLength(3);
    expect(types).toContain('verb:menu:triesUsed');
    expect(caller.record()).toMatchObject({ queue: 'support', data: { department: 'support' } });
  });

  it('a caller who hangs up during the menu is recorded as disconnected, and nothing else is played', async () => {
    const t = await flowTests.start();
    const caller = await t.call({ dial: 'ra-main', at: { weekday: 'mon', time: '12:00' } });
    await caller.hears('main-menu.wav');
    await caller.hangUp();
    const result = await caller.result();
    expect(result.outcome).toBe('disconnected');
    expect(caller.heard()).toEqual(['main-menu.wav']);
  });
});

// Issue 28: runs last. Every history the tests above wrote (calls, queues, agents), kept as each test's server
// stopped, replays on a fresh worker with the workflow code that wrote it.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
});
