/**
 * The resultInfo of every outcome the emulator reports, and its wire shape. The codes are Graph's where its docs give
 * them; the rest are the emulator's choice, noted where made.
 */
import type { ResultInfo } from '../types.js';

export const RESULT = {
  promptCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  operationCancelled: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
  callerHungUp: { code: 200, subcode: 4097, message: 'Call ended by the other participant in the call.' },
  pstnCallerHungUp: { code: 200, subcode: 540000, message: 'Call ended by the PSTN User.' },
  botHungUp: { code: 200, subcode: 5001, message: 'The conversation has ended.' },
  transferCompleted: { code: 0, subcode: 7015, message: 'GracefulTransferCompleted' },
  answerTimeout: {
    code: 408,
    subcode: 1106,
    message: 'An acknowledgement was not received for the call acceptance in the allotted time.',
  },
  // call-record.md documents 200/8515 for the max duration; the other record results are the emulator's choice.
  recordMaxDuration: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
  recordSilence: { code: 200, subcode: 0, message: 'Action completed, max silence timeout reached.' },
  recordStopTone: { code: 200, subcode: 0, message: 'Action completed, stop tone detected.' },
  recordInitialSilence: { code: 408, subcode: 0, message: 'Action failed, initial silence timeout reached.' },
  inviteCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  // How a ring (createCall, invite, redirect) ends unanswered, with the pairs Microsoft documents (issue 21, point 3):
  // - api-reference/v1.0/api/call-delete.md, "Call end reason codes": 408/10057, 480/10076, 408/8537;
  // - Azure Communication Services' calling codes (concepts/troubleshooting-codes.md, "Calling SDK error codes"):
  //   603 "Call globally declined by remote participant", with no subcode;
  // - Teams' "Microsoft and SIP response codes" (SupportArticles-docs, direct-routing): SIP 486 Busy Here; a phone's
  //   busy comes from the SBC, whose codes are 560 + the SIP code (560486). No page gives a Teams user's busy a
  //   subcode, so it is 0.
  inviteDeclined: { code: 603, subcode: 0, message: 'Call globally declined by remote participant.' },
  inviteNoAnswer: { code: 408, subcode: 10057, message: 'Call timed out due to no signaling from callee endpoints.' },
  calleeBusy: { code: 486, subcode: 0, message: 'Busy Here.' },
  pstnCalleeBusy: { code: 486, subcode: 560486, message: 'Busy Here.' },
  calleeNoAnswer: { code: 408, subcode: 10057, message: 'Call timed out due to no signaling from callee endpoints.' },
  calleeDeclined: { code: 603, subcode: 0, message: 'Call globally declined by remote participant.' },
  calleeUnreachable: { code: 480, subcode: 10076, message: 'Callee could not be reached.' },
  redirectFailed: { code: 408, subcode: 10057, message: 'Call timed out due to no signaling from callee endpoints.' },
  // call-keepalive.md: a call with no keepAlive for 45 minutes ends; call-delete.md gives its code.
  keepAliveTimeout: { code: 408, subcode: 8537, message: 'Keep Alive timeout, cleaned up inactive call.' },
} satisfies Record<string, ResultInfo>;

/** A #microsoft.graph.resultInfo; `quirk` spells it as one of Microsoft's doc examples does. */
export function resultInfoJson(r: ResultInfo, quirk?: 'strings' | 'subCode'): Record<string, unknown> {
  if (quirk === 'strings')
    return {
      '@odata.type': '#microsoft.graph.resultInfo',
      code: String(r.code),
      subcode: String(r.subcode),
      message: r.message,
    };
  if (quirk === 'subCode')
    return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subCode: r.subcode, message: r.message };
  return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subcode: r.subcode, message: r.message };
}
