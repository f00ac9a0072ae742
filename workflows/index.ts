// The worker bundles this file: every workflow type Switchboard runs is exported here.
export { callWorkflow } from './call.js';
export { queueWorkflow } from './queue/workflow.js';
export { agentWorkflow } from './agent/workflow.js';
export { presencePollerWorkflow } from './presence.js';
export { retentionWorkflow } from './retention.js';
