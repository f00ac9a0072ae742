/** The call's participants: inviting more people onto an established call, and the roster Graph then reports. */
import { randomUUID } from 'node:crypto';
import { stripUndefined } from '../json.js';
import type { ResultInfo } from '../types.js';
import type { InviteRequest } from '../validation/participants.js';
import type { CancelOperation, EmulatedCall, OperationStarted } from './emulated-call.js';
import type { CallRegistry } from './registry.js';
import { RESULT, resultInfoJson } from './results.js';
import type { Ringing } from './ringing.js';
import { TRANSFER_ALERT_TIMEOUT_MS } from './timing.js';

export class Participants {
  constructor(
    private readonly calls: CallRegistry,
    private readonly ringing: Ringing,
  ) {}

  /** POST /communications/calls/{id}/participants/invite */
  invite(callId: string, req: InviteRequest): OperationStarted {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['established'], 'invite');
    const op: CancelOperation = {
      id: randomUUID(),
      type: 'invite',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      status: 'running',
    };
    call.operations.set(op.id, op);
    const opPath = `/operations/${op.id}`;
    const finish = (status: 'completed' | 'failed', r: ResultInfo) => {
      if (op.status !== 'running' || call.state === 'terminated') return;
      op.status = status;
      op.resultInfo = r;
      this.calls.notify(
        call,
        'deleted',
        stripUndefined({
          '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
          id: op.id,
          status,
          clientContext: op.clientContext,
          resultInfo: resultInfoJson(r),
          participants: req.participants.map((p) => ({
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            identity: this.ringing.participantIdentity(p),
          })),
        }),
        opPath,
      );
    };
    let answered = 0;
    let failed = 0;
    const total = req.participants.length;
    for (const p of req.participants) {
      const key = 'phone' in p ? p.phone : p.userId;
      const ring = this.ringing.ringOutcome(key);
      this.calls.log(call, 'agent', `${key} is invited (${ring.outcome})`);
      const settle = () => {
        if (answered + failed < total) return;
        if (answered > 0) {
          finish('completed', RESULT.inviteCompleted);
          this.calls.notifyParticipants(call, this.roster(call));
        } else
          finish(
            'failed',
            ring.outcome === 'never'
              ? RESULT.inviteNoAnswer
              : ring.outcome === 'busy'
                ? RESULT.calleeBusy
                : ring.outcome === 'unreachable'
                  ? RESULT.calleeUnreachable
                  : RESULT.inviteDeclined,
          );
      };
      const afterMs = ring.outcome === 'never' ? this.calls.scaled(TRANSFER_ALERT_TIMEOUT_MS) : ring.afterMs;
      this.calls.after(call, afterMs, () => {
        if (call.state !== 'established' && call.state !== 'transferring') return;
        if (ring.outcome === 'answer') {
          answered++;
          this.calls.log(call, 'agent', `${key} joins the call`);
          if ('userId' in p) {
            call.agentsOnCall.add(p.userId);
            this.calls.deps.agents.setOnCall(p.userId, call.id, true);
          }
          call.targets.push({
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            id: randomUUID(),
            identity: this.ringing.participantIdentity(p),
          });
        } else {
          failed++;
          this.calls.log(
            call,
            'agent',
            `${key} ${{ never: 'does not answer', busy: 'is busy', decline: 'declines', unreachable: 'cannot be reached', answer: 'answers' }[ring.outcome]}`,
          );
        }
        settle();
      });
    }
    return {
      location: `${call.resourceUrl}${opPath}`,
      body: stripUndefined({
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        id: op.id,
        status: 'running',
        clientContext: op.clientContext,
      }),
    };
  }

  /** The call's participants as #microsoft.graph.participant objects. */
  private roster(call: EmulatedCall): Record<string, unknown>[] {
    const participant = (info: Record<string, unknown>, id: string) => ({
      '@odata.type': '#microsoft.graph.participant',
      id,
      info: { '@odata.type': '#microsoft.graph.participantInfo', identity: info['identity'], endpointType: 'default' },
      mediaStreams: [
        {
          '@odata.type': '#microsoft.graph.mediaStream',
          mediaType: 'audio',
          direction: 'sendReceive',
          serverMuted: false,
        },
      ],
      isInLobby: false,
    });
    return [
      participant(call.source, String(call.source['id'] ?? randomUUID())),
      ...call.targets.map((t) => participant(t, String(t['id'] ?? randomUUID()))),
    ];
  }
}
