import { defineConfig } from 'vitest/config';
import ConformanceLastSequencer from './test/conformance/sequencer.js';

// Integration tests start real Temporal and Postgres servers; on a 2-core machine one file at a time is fastest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'flows/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    // Records every Graph request the app sends during the run; its teardown fails the run on a schema mismatch.
    globalSetup: ['./test/conformance/global-setup.ts'],
    // test/graph/conformance.test.ts runs after every other file.
    sequence: { sequencer: ConformanceLastSequencer },
  },
});
