// The worker bundles this file: every workflow type Switchboard runs is exported here.
export { callWorkflow } from './call.js';
export { queueWorkflow } from './queue.js';
