import type { Call, ScheduleStatus } from '../src/contracts/flow-api.js';

/**
 * Closed (nights, weekends, holidays): say so, take a message in the after-hours box, say goodbye. A sub-flow: the
 * main line calls it, and so can any other flow.
 */
export async function afterHours(call: Call, status: ScheduleStatus): Promise<void> {
  call.tag('after-hours');
  if (status.reason === 'holiday' && status.name) call.set('holiday', status.name);
  await call.play(status.reason === 'holiday' ? 'holiday.wav' : 'closed.wav');
  const message = await call.voicemail('after-hours');
  if (message.outcome !== 'hungUp') await call.hangup('goodbye.wav');
}
