/**
 * Which flow answers which number. The call workflow imports this module, so everything it reaches must be
 * deterministic (see src/contracts/flow-api.ts). `switchboard flows validate` checks the flows before they go live;
 * `switchboard flows list` shows them.
 */
import type { FlowDefinition } from '../src/contracts/flow-api.js';
import { careLine } from './care-line.js';
import { mainLine } from './main-line.js';
import { defaultLine, salesLine, supportLine } from './support-line.js';
import { vipLine } from './vip-line.js';

export const callFlows: FlowDefinition[] = [mainLine, supportLine, salesLine, careLine, vipLine, defaultLine];

/**
 * Load tests only (`npm run bench -- --queues N`): a call to resource account `bench-queue:<queue>` goes straight into
 * that queue (which the benchmark defines), so one benchmark can fill several queues. Real resource account ids are
 * GUIDs, so no real call comes here.
 */
export const BENCH_LINE_PREFIX = 'bench-queue:';

/** The flow for the resource account dialled; unknown numbers get the default flow, never a silent drop. */
export function flowFor(applicationInstanceId: string | undefined): FlowDefinition {
  if (applicationInstanceId?.startsWith(BENCH_LINE_PREFIX))
    return benchLine(applicationInstanceId.slice(BENCH_LINE_PREFIX.length));
  return (
    callFlows.find((f) => applicationInstanceId !== undefined && f.numbers.includes(applicationInstanceId)) ??
    callFlows.find((f) => f.numbers.includes('default'))!
  );
}

function benchLine(queue: string): FlowDefinition {
  return {
    name: 'bench',
    description: 'Load tests: straight into the queue named by the number dialled',
    numbers: [],
    async run(call) {
      await call.queue(queue);
    },
  };
}
