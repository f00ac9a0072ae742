/**
 * The house rules, checked by `npm run lint` (depcruise): no import cycles, and who may import whom. See
 * docs/architecture.md for the picture.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'An import cycle ties files so that neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    // Contracts at the bottom (issue 20, point 2): workflows, activities, the webhook and the admin API meet in
    // src/contracts/, and know nothing else of each other.
    {
      name: 'activities-not-workflows',
      severity: 'error',
      comment: 'Activities reach workflows through src/contracts/ (ids, signals, types), not workflow code.',
      from: { path: '^activities/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'activities-not-flows',
      severity: 'error',
      comment: 'Activities are handed their configuration: the worker passes flows/, a test its own.',
      from: { path: '^activities/' },
      to: { path: '^flows/' },
    },
    {
      name: 'workflows-not-io',
      severity: 'error',
      comment: 'Workflows take their vocabulary from src/contracts/, not ORM entities, Graph or activities.',
      from: { path: '^workflows/' },
      to: { path: '^(src/db|src/graph|activities)/' },
    },
    {
      name: 'workflows-not-holiday-library',
      severity: 'error',
      comment:
        'Public holidays come from date-holidays in the isOpen activity (issue 26, point 2): neither workflow code nor ' +
        'the call flows it bundles load the library or src/schedules/public-holidays.ts, directly or through other ' +
        'modules (flows/tests/ run the activities, so they may).',
      from: { path: '^(workflows|flows)/', pathNot: '^flows/tests/' },
      to: { path: '(^|/)(node_modules/date-holidays/|src/schedules/public-holidays[.]ts$)', reachable: true },
    },
    {
      name: 'contracts-at-the-bottom',
      severity: 'error',
      comment: 'Contracts import only each other and @temporalio/workflow.',
      from: { path: '^src/contracts/' },
      to: { pathNot: ['^src/contracts/', '^node_modules/@temporalio/workflow/'] },
    },
    {
      name: 'ceiling-workflow-is-workflow-code',
      severity: 'error',
      comment:
        "The bench's ceiling workflow is bundled for a worker of its own: it takes only its activities' contract and " +
        '@temporalio/workflow, so that it stays as plain as the work it stands for.',
      from: { path: '^devkit/bench/ceiling/workflow[.]ts$' },
      to: { pathNot: ['^devkit/bench/ceiling/contract[.]ts$', '^node_modules/@temporalio/workflow/'] },
    },
    // The folders in floors (issue 20, point 8): src/ is the bottom that the rooms above it build on. The composition
    // root (app/), the CLI (cli/), the configuration (flows/), activities, workflows and devkit stand above it, so
    // nothing in src/ imports them: the admin API is handed flows/ by the web role (app/stack/admin-catalog.ts).
    {
      name: 'src-at-the-bottom',
      severity: 'error',
      comment: 'src/ imports none of app/, cli/, flows/, activities/, workflows/, devkit/: they are handed in.',
      from: { path: '^src/' },
      to: { path: '^(app|cli|flows|activities|workflows|devkit)/' },
    },
    // Runtime and kit apart (issue 20, point 1): what runs in production never loads the emulator, the flow test kit,
    // scenarios, the bench or the analytics fixtures. Only the CLI commands that start the demo, simulate or seed may.
    {
      name: 'runtime-not-devkit',
      severity: 'error',
      comment:
        'app/, cli/, src/, workflows/, activities/ and flows/ run in production; devkit/ is for building, testing and ' +
        'demos.',
      from: {
        path: '^(app|cli|src|workflows|activities|flows)/',
        pathNot: ['^cli/(up|simulate|seed)[.]ts$', '^flows/tests/'],
      },
      to: { path: '^devkit/' },
    },
  ],
  options: {
    // Packages are leaves, not left out: contracts-at-the-bottom must see which packages src/contracts/ imports.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.venv|data|coverage|dashboards/generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
