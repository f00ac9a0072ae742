import { defineConfig } from 'vitest/config';
import ConformanceLastSequencer from './test/conformance/sequencer.js';

// Integration tests start real Temporal and Postgres servers and spend most of their time waiting on them (timers,
// rings, emulated media), so three files at a time fit a 2-core machine. The files that kill processes, measure
// contention or check every request of the run go afterwards, one at a time, with the machine to themselves.
const ALONE = [
  'test/reliability/chaos-*.test.ts',
  'test/reliability/restart.e2e.test.ts',
  'test/routing/routing-contention.test.ts',
  'test/graph/conformance.test.ts',
];

// The production shape (issue 25, point 3: `npm run test:cluster`): the real Temporal server, built from its Go module
// at the lowest priority while the other files run (its global set-up starts the build), then this project last.
const CLUSTER = ['test/cluster/**/*.test.ts'];

const shared = {
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // Records every Graph request the app sends during the run; its teardown fails the run on a schema mismatch.
  globalSetup: ['./test/conformance/global-setup.ts'],
};

export default defineConfig({
  test: {
    reporters: ['default'],
    maxWorkers: 3,
    projects: [
      {
        test: {
          ...shared,
          name: 'together',
          include: ['test/**/*.test.ts', 'flows/**/*.test.ts'],
          exclude: [...ALONE, ...CLUSTER],
          fileParallelism: true,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ALONE,
          fileParallelism: false,
          // test/graph/conformance.test.ts runs after every other file.
          sequence: { groupOrder: 1, sequencer: ConformanceLastSequencer },
        },
      },
      {
        test: {
          ...shared,
          globalSetup: [...shared.globalSetup, './test/cluster/global-setup.ts'],
          name: 'cluster',
          include: CLUSTER,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
