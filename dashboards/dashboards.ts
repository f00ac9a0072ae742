import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { agentPerformance } from './agent-performance.js';
import { callExplorer } from './call-explorer.js';
import { queuePerformance } from './queue-performance.js';
import { voicemailCallbacks } from './voicemail-callbacks.js';
import { wallboard } from './wallboard.js';

export { TIMELINE_MAX_AGENTS, TIMELINE_MAX_POINTS } from './agent-performance.js';

/** Every dashboard, by output file name. */
export function allDashboards(): Record<string, Dashboard> {
  return {
    'wallboard.json': wallboard(),
    'queue-performance.json': queuePerformance(),
    'agent-performance.json': agentPerformance(),
    'call-explorer.json': callExplorer(),
    'voicemail-callbacks.json': voicemailCallbacks(),
  };
}
