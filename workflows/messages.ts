/**
 * Temporary, removed when the test files (with devkit/bench/run.ts and devkit/flow-testing/index.ts) move to contracts:
 * the signals, queries, updates and workflow ids live in src/contracts/ (call.ts, queue.ts, agent.ts, presence.ts).
 * Nothing else imports this file.
 */
export * from '../src/contracts/call.js';
export * from '../src/contracts/queue.js';
export * from '../src/contracts/agent.js';
export * from '../src/contracts/presence.js';
