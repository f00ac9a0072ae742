/**
 * Flow tests for admins: simulated callers through the real call flows, the real call workflow and the real
 * routing engine, on Temporal's time-skipping test server, so "wait 40 minutes" takes seconds. Graph is simulated
 * (SimulatedGraph); schedules, lookups and queues are the ones in flows/ unless a test overrides them.
 *
 *   const t = await FlowTest.start({ agents: 'decline' });
 *   const caller = await t.call({ dial: 'ra-main', from: '+14255550123', at: { weekday: 'tue', time: '10:00' } });
 *   await caller.hears('main-menu.wav');
 *   await caller.press('2');
 *   await caller.waits('40m');
 *   expect((await caller.result()).outcome).toBe('voicemail');
 *   await t.stop();
 *
 * See README.md, "Testing a flow". This file is the kit's entry: flow-test.ts runs a test, simulated-caller.ts is one
 * caller, simulated-graph.ts is Graph's side, flow-worker.ts bundles the workflows, options.ts what a test takes.
 */
export { FlowTest } from './flow-test.js';
export { replaceFlows } from './flow-worker.js';
export { FLOW_TEST_TENANT } from './options.js';
export type { AgentBehaviour, CallOptions, FlowTestHistories, FlowTestOptions } from './options.js';
export { SimulatedCaller } from './simulated-caller.js';
export { SimulatedGraph } from './simulated-graph.js';
export type { CalleeBehaviour, SimulatedCallback, SimulatedOutboundCall } from './simulated-graph.js';
export type { LocalTime } from './clock.js';
