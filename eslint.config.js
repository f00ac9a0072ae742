import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['node_modules/', '.venv/', 'data/', 'dashboards/generated/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // dependency-cruiser reads its config only as CommonJS (.dependency-cruiser.cjs): `module` is defined there.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Type-aware: a promise nobody awaits or handles is a lost error (or, in a workflow, a lost command).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Workflow code is replayed: it must not touch the outside world. Effects belong in activities/. Call flows run
    // inside the call workflow, so the same holds for them; lookups (run as activities) and flow tests are exempt.
    // The bench's ceiling workflow is workflow code too (its one exception, proxyLocalActivities, is in the file).
    files: ['workflows/**/*.ts', 'flows/**/*.ts', 'devkit/bench/ceiling/workflow.ts'],
    ignores: ['flows/lookups.ts', 'flows/tests/**', 'flows/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process', 'crypto'],
              message: 'workflows must be deterministic: do I/O in an activity',
            },
            {
              group: ['pg', '@mikro-orm/*', 'express', '@azure/*', '@microsoft/microsoft-graph-client'],
              message: 'workflows must be deterministic: do I/O in an activity',
            },
          ],
          paths: [
            { name: '@temporalio/activity', message: 'activities run in the worker, not in workflows' },
            {
              name: '@temporalio/workflow',
              importNames: ['proxyLocalActivities'],
              message:
                'use proxyLocalActivitiesInOrder (workflows/local-activities.ts): concurrent local activities otherwise replay out of order',
            },
          ],
        },
      ],
    },
  },
);
