/**
 * The contact center's agents and queues, as code, validated when this module loads (and by
 * `switchboard queues validate`): a bad definition stops start-up with a message naming the queue and the field.
 */
import { validateQueues, type AgentDefinition, type QueueDefinition } from '../src/routing/validate.js';
import type { QueueConfig } from '../src/contracts/queue-config.js';

export type { QueueConfig, QueueAction, RoutingMethod } from '../src/contracts/queue-config.js';
export { callFlows, flowFor } from './flows.js';

const ADELE = '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d';
const ALEX = '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f';
const MEGAN = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** Every Teams user who may take calls, with their skills (1–5). */
export const agents: Record<string, AgentDefinition> = {
  [ADELE]: { name: 'Adele Vance', skills: { english: 5, billing: 3 } },
  [ALEX]: { name: 'Alex Wilber', skills: { english: 4, french: 4 } },
  [MEGAN]: { name: 'Megan Bowen', skills: { english: 5, sales: 4 } },
};

export const queueDefinitions: Record<string, QueueDefinition> = {
  support: {
    // Serial in this order, so the demo is predictable: Adele first, then Alex.
    agents: [ADELE, ALEX],
    method: 'serial',
    wrapUpSeconds: 10,
    reofferAfterSeconds: 30,
    maxCalls: 50,
    overflowAction: { type: 'queue', queue: 'sales' },
    maxWaitSeconds: 1200,
    timeoutAction: { type: 'voicemail', mailbox: 'support' },
    noAgentsAction: { type: 'disconnect' },
    serviceLevelSeconds: 30,
  },
  sales: {
    agents: [MEGAN, { id: ADELE, skills: { sales: 2 } }],
    method: 'skills',
    requiredSkills: { sales: 1 },
    wrapUpSeconds: 15,
    maxCalls: 20,
    overflowAction: { type: 'disconnect' },
    timeoutAction: { type: 'transfer', phone: '+14255550199' },
    noAgentsAction: { type: 'voicemail', mailbox: 'sales' },
  },
  billing: {
    agents: [ADELE],
    method: 'longestIdle',
    wrapUpSeconds: 20,
    maxCalls: 20,
    maxWaitSeconds: 600,
    overflowAction: { type: 'disconnect', prompt: 'queue-full.wav' },
    timeoutAction: { type: 'voicemail', mailbox: 'support' },
    noAgentsAction: { type: 'voicemail', mailbox: 'support' },
  },
};

export const queues: Record<string, QueueConfig> = validateQueues(agents, queueDefinitions);
