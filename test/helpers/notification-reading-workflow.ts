/**
 * A workflow for test/flows/notification-reading.test.ts: a call's CallSession (workflows/call-session.ts) fed the
 * notifications a test gives it, in a real worker, where its patch decision is made as in a call.
 */
import type { CallNotification } from '../../src/contracts/graph-call.js';
import type { CallRecorder } from '../../workflows/call-recorder.js';
import { CallSession } from '../../workflows/call-session.js';

export type ReadingStep = { notify: CallNotification } | { read: true } | { hasOperation: string };

export interface ReadingResult {
  /** Per step: whether the notification was news (and so written to the timeline), the key read, or the lookup. */
  steps: (boolean | string | undefined)[];
  keys: string[];
  state: string;
}

export async function notificationReadingWorkflow(steps: ReadingStep[]): Promise<ReadingResult> {
  // The session's own writes are not what is tested here: a recorder that keeps nothing.
  const recorder = { event: () => undefined, set: () => undefined, record: {} } as unknown as CallRecorder;
  const session = new CallSession('call-under-test', recorder);
  const results: ReadingResult['steps'] = [];
  for (const step of steps) {
    if ('notify' in step) results.push(session.apply(step.notify));
    else if ('read' in step) results.push(session.keys.shift());
    else results.push(session.operations.has(step.hasOperation));
  }
  return { steps: results, keys: [...session.keys], state: session.state };
}
