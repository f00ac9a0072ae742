/**
 * The flow test's worker: the real workflows, bundled once per flows module (bundling takes seconds), with
 * flows/flows.ts swapped for another module when a test deploys a flow change.
 */
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ephemeralDataConverter, failureConverterPath } from '../../src/temporal/data-converter.js';
import { workflowInterceptorsPath, workflowsPath } from '../../src/temporal/worker.js';

// The alias must name the .ts file: the bundler's extensionAlias has already mapped the import's .js to it.
const FLOWS_MODULE = fileURLToPath(new URL('../../flows/flows.ts', import.meta.url));

/** A worker for the real workflows; `flows` replaces flows/flows.ts in its bundle. */
export async function createFlowWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
  flows?: string,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleFor(flows),
    activities,
    dataConverter: ephemeralDataConverter(),
  });
}

/** Bundling the workflows takes seconds; a test file's flow tests share one bundle per flows module. */
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
export function bundleFor(flows: string | undefined): Promise<WorkflowBundleWithSourceMap> {
  const key = flows ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      // The failure converter production bundles (src/temporal/worker.ts): failures' messages are encrypted too.
      failureConverterPath,
      // The production worker's workflow interceptors: they add no command, but their async wrappers shift when
      // concurrent branches issue theirs, so a flow test (and the call histories it records) without them orders
      // commands as no production worker does (test/reliability/replay.test.ts).
      workflowInterceptorModules: [workflowInterceptorsPath],
      logger: new DefaultLogger('WARN'),
      ...(flows ? { webpackConfigHook: (config) => replaceFlows(config, flows) } : {}),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/** Swap flows/flows.ts for the given module in a workflow bundle's webpack config. */
export function replaceFlows<C extends { resolve?: { alias?: unknown } }>(config: C, flows: string): C {
  const alias = (config.resolve?.alias ?? {}) as Record<string, string>;
  return { ...config, resolve: { ...config.resolve, alias: { ...alias, [FLOWS_MODULE]: flows } } };
}
