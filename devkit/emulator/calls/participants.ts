/** The call's participants: inviting more people onto an established call, and the roster Graph then reports. */
import { randomUUID } from 'node:crypto';
import { stripUndefined } from '../json.js';
import type { ResultInfo } from '../types.js';
import type { InviteRequest } from '../validation/participants.js';
import type { Conference } from './conference.js';
import type { CallLifecycle } from './lifecycle.js';
import type { CancelOperation, EmulatedCall, OperationStarted } from './emulated-call.js';
import type { CallRegistry } from './registry.js';
import { RESULT, resultInfoJson } from './results.js';
import type { Ringing } from './ringing.js';
import { TEARDOWN_DELAY_MS, TRANSFER_ALERT_TIMEOUT_MS } from './timing.js';

export class Participants {
  constructor(
    private readonly calls: CallRegistry,
    private readonly ringing: Ringing,
    private readonly conference: Conference,
    private readonly lifecycle: CallLifecycle,
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
    const moving = req.participants[0]?.replacesCallId;
    if (moving !== undefined) {
      this.move(call, req.participants[0]!, moving, finish);
      return this.started(call, op, opPath);
    }
    let answered = 0;
    let failed = 0;
    const total = req.participants.length;
    for (const p of req.participants) {
      const key = 'phone' in p ? p.phone : p.userId;
      const ring = this.ringing.ringOutcome(key);
      this.calls.log(call, 'agent', `${key} is invited (${ring.outcome})`);
      const settle = () => {
        if (answered + failed < total) return;
        if (answered > 0) finish('completed', RESULT.inviteCompleted);
        else
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
          // In the group call: the roster update goes to every participant (participant-invite.md).
          if ('userId' in p) this.conference.join(call, p.userId, this.ringing.participantIdentity(p));
          else this.conference.escalate(call);
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
    return this.started(call, op, opPath);
  }

  private started(call: EmulatedCall, op: CancelOperation, opPath: string): OperationStarted {
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

  /**
   * Invite with replacesCallId (participant-invite.md, example 3): the invitee is on a peer-to-peer call with the
   * bot (`replacesCallId`) and moves into this call without ringing; the operation completes, every participant gets
   * the roster, and the replaced call ends. A call to replace that is not live, not established or not with the
   * invitee fails the invite (500/7700, as for a consultative transfer: Graph documents no code for this).
   */
  private move(
    call: EmulatedCall,
    p: InviteRequest['participants'][number],
    replacesCallId: string,
    finish: (status: 'completed' | 'failed', r: ResultInfo) => void,
  ): void {
    const replaced = this.calls.get(replacesCallId);
    const target = replaced?.targets[0] as { identity?: { user?: { id?: string } } } | undefined;
    const invitee = 'userId' in p ? p.userId : undefined;
    const why =
      !replaced || replaced.id === call.id
        ? 'is not a call of this app'
        : replaced.state !== 'established'
          ? `is ${replaced.state}`
          : invitee === undefined || target?.identity?.user?.id !== invitee
            ? 'is not a call with the invitee'
            : undefined;
    this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), () => {
      if (call.state !== 'established') return;
      const gone = replaced && replaced.state !== 'established' ? `is ${replaced.state}` : undefined;
      if (why ?? gone) {
        this.calls.log(call, 'agent', `invite refused: the call to replace (${replacesCallId}) ${why ?? gone}`);
        return finish('failed', { code: 500, subcode: 7700, message: `The call to replace ${why ?? gone}.` });
      }
      this.calls.log(call, 'agent', `${invitee!} moves in from call ${replacesCallId}`);
      // Their ring leg is no longer what keeps them busy: the group call is.
      replaced!.agentsOnCall.delete(invitee!);
      this.calls.deps.agents.setOnCall(invitee!, replaced!.id, false);
      finish('completed', RESULT.inviteCompleted);
      this.conference.join(call, invitee!, this.ringing.participantIdentity(p));
      // "Notifications on how your original peer-to-peer call has been terminated and deleted": the page shows none,
      // and gives no resultInfo for it, so it ends with none.
      this.lifecycle.terminate(replaced!, undefined);
    });
  }
}
