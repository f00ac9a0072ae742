/**
 * Which flow answers which number. The call workflow imports this module, so everything it reaches must be
 * deterministic (see workflows/flow/api.ts). `switchboard flows validate` checks the flows before they go live;
 * `switchboard flows list` shows them.
 */
import type { FlowDefinition } from '../workflows/flow/api.js';
import { mainLine } from './main-line.js';
import { defaultLine, salesLine, supportLine } from './support-line.js';
import { vipLine } from './vip-line.js';

export const callFlows: FlowDefinition[] = [mainLine, supportLine, salesLine, vipLine, defaultLine];

/** The flow for the resource account dialled; unknown numbers get the default flow, never a silent drop. */
export function flowFor(applicationInstanceId: string | undefined): FlowDefinition {
  return (
    callFlows.find((f) => applicationInstanceId !== undefined && f.numbers.includes(applicationInstanceId)) ??
    callFlows.find((f) => f.numbers.includes('default'))!
  );
}
