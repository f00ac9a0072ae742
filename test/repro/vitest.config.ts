import { defineConfig } from 'vitest/config';

// Reproductions of bugs outside Switchboard (docs/known-issues.md). They fail until the bug is fixed upstream, so the
// suite (vitest.config.ts: *.test.ts) does not run them; this config runs them on request.
export default defineConfig({
  test: {
    include: ['test/repro/*.repro.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
