import { defineConfig } from 'vitest/config';

// Integration tests start real Temporal and Postgres servers; on a 2-core machine one file at a time is fastest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'flows/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
