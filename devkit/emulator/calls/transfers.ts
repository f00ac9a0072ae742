/**
 * POST /communications/calls/{id}/transfer. A blind transfer rings the target, who accepts, declines or lets it ring
 * out by their script; a consultative one (replacesCallId) hands the caller to an agent the bot is already talking
 * to. Either way a transfer that fails leaves the call established with a 500 resultInfo.
 */
import { badRequest } from '../graph-error.js';
import type { TransferView } from '../types.js';
import type { TransferRequest } from '../validation/transfers.js';
import type { EmulatedCall, TransferState } from './emulated-call.js';
import type { CallLifecycle } from './lifecycle.js';
import type { MediaOperations } from './media-operations.js';
import type { CallRegistry } from './registry.js';
import { RESULT, resultInfoJson } from './results.js';
import { BUSY_REJECT_DELAY_MS, TEARDOWN_DELAY_MS, TRANSFER_ALERT_TIMEOUT_MS } from './timing.js';

export class Transfers {
  constructor(
    private readonly calls: CallRegistry,
    private readonly lifecycle: CallLifecycle,
    private readonly media: MediaOperations,
  ) {}

  /** POST /communications/calls/{id}/transfer */
  transfer(callId: string, req: TransferRequest): void {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['established'], 'transfer');
    // call-transfer.md: "Transfer to PSTN number is supported only for application instance." Graph's refusal
    // itself is not documented; here it is a 400 before anything happens.
    if ('phone' in req.target && !involvesApplicationInstance(call))
      throw badRequest(
        'Transfer to a phone number is supported only for a call that involves an application instance (a resource account with a phone number).',
      );
    const agentKey = 'userId' in req.target ? req.target.userId : req.target.phone;
    const view: TransferView = {
      target: 'userId' in req.target ? { userId: req.target.userId } : { phone: req.target.phone },
      outcome: 'pending',
    };
    const transfer: TransferState = { view, agentKey, consultative: req.replacesCallId !== undefined };
    call.transfer = transfer;
    call.state = 'transferring';
    this.calls.notifyState(call);

    const { agents } = this.calls.deps;
    const script = agents.script(agentKey);
    if (!transfer.consultative)
      this.calls.log(
        call,
        'agent',
        `${agentKey} is alerted (script: ${script.onTransfer}${agents.isBusy(agentKey) ? ', busy' : ''})`,
      );

    const fail = (outcome: TransferView['outcome'], message: string) => {
      if (call.state !== 'transferring' || call.transfer !== transfer) return;
      view.outcome = outcome;
      this.calls.log(call, 'agent', `${agentKey}: ${message}`);
      call.state = 'established';
      const subcode = transfer.consultative ? 7700 : 7000;
      // The docs' transfer-failed examples spell it `subCode`; the resultInfo schema says `subcode`.
      this.calls.notifyState(call, {
        resultInfo: resultInfoJson(
          { code: 500, subcode, message },
          this.calls.options.docQuirks ? 'subCode' : undefined,
        ),
        ...(transfer.consultative ? { replacesContext: req.replacesCallId } : {}),
      });
    };

    if (transfer.consultative) {
      this.replaceCall(call, transfer, req.replacesCallId!, agentKey, fail);
      return;
    }
    if (agents.isBusy(agentKey)) {
      // Busy on busy: an agent already talking to a transferred caller rejects further transfers.
      this.calls.after(call, this.calls.scaled(BUSY_REJECT_DELAY_MS), () => fail('busy', 'Transfer target is busy.'));
      return;
    }
    switch (script.onTransfer) {
      case 'accept':
        this.calls.after(call, script.answerAfterMs, () => {
          if (call.state !== 'transferring' || call.transfer !== transfer) return;
          if (agents.isBusy(agentKey)) return fail('busy', 'Transfer target is busy.');
          this.connect(call, transfer, `${agentKey} accepts`, script.talkMs);
          this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), () => {
            if (transfer.consultative)
              this.lifecycle.terminate(call, undefined, { extra: { terminationReason: 'AppTransferred' } });
            else this.lifecycle.terminate(call, RESULT.transferCompleted);
          });
        });
        break;
      case 'decline':
        this.calls.after(call, script.answerAfterMs, () => fail('declined', 'Transfer target declined the call.'));
        break;
      case 'ignore':
        this.calls.after(call, this.calls.scaled(TRANSFER_ALERT_TIMEOUT_MS), () =>
          fail('noAnswer', 'Transfer target did not answer.'),
        );
        break;
    }
  }

  /**
   * Consultative transfer: the target already talks to the bot on the call `replacesCallId` (one the bot placed to
   * them). Nothing rings: the caller takes that call's place, the bot leaves both, and the target talks to the
   * caller. The call to replace must be live, established, and to the transfer target; otherwise the transfer fails
   * (500/7700, with replacesContext, as documented).
   */
  private replaceCall(
    call: EmulatedCall,
    transfer: TransferState,
    replacesCallId: string,
    agentKey: string,
    fail: (outcome: TransferView['outcome'], message: string) => void,
  ): void {
    const replaced = this.calls.get(replacesCallId);
    const target = replaced?.targets[0] as
      { identity?: { user?: { id?: string }; phone?: { id?: string } } } | undefined;
    const replacedKey = target?.identity?.user?.id ?? target?.identity?.phone?.id;
    if (!replaced || replaced.id === call.id || replaced.state !== 'established' || replacedKey !== agentKey) {
      const why =
        !replaced || replaced.id === call.id
          ? 'is not a call of this app'
          : replaced.state !== 'established'
            ? `is ${replaced.state}`
            : 'is not a call to the transfer target';
      this.calls.after(call, this.calls.scaled(BUSY_REJECT_DELAY_MS), () =>
        fail('failed', `The call to replace (${replacesCallId}) ${why}.`),
      );
      return;
    }
    this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), () => {
      if (call.state !== 'transferring' || call.transfer !== transfer) return;
      if (replaced.state !== 'established') return fail('failed', `The call to replace (${replacesCallId}) ended.`);
      // The agent goes straight from our call to the caller: never free in between.
      const talkMs = 'userId' in transfer.view.target ? this.calls.deps.agents.script(agentKey).talkMs : undefined;
      this.connect(call, transfer, `${agentKey} takes the caller in place of call ${replacesCallId}`, talkMs);
      // Graph's docs show the transferred call ending with AppTransferred; the replaced call's end is not shown,
      // and ends the same way here.
      this.lifecycle.terminate(replaced, undefined, { extra: { terminationReason: 'AppTransferred' } });
      this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), () =>
        this.lifecycle.terminate(call, undefined, { extra: { terminationReason: 'AppTransferred' } }),
      );
    });
  }

  /**
   * The target takes the caller: transferAccepted, the bot's media stops, and the conversation starts; an agent
   * (talkMs given) is busy talking until it ends.
   */
  private connect(call: EmulatedCall, transfer: TransferState, detail: string, talkMs: number | undefined): void {
    const { agentKey, view } = transfer;
    view.outcome = 'accepted';
    this.calls.log(call, 'agent', detail);
    call.state = 'transferAccepted';
    this.calls.notifyState(call);
    this.media.stopMediaSilently(call);
    const conversation: NonNullable<TransferView['conversation']> = { startedAt: new Date().toISOString() };
    view.conversation = conversation;
    if (talkMs === undefined) return;
    this.calls.deps.agents.startTalking(agentKey, call.id, talkMs, () => {
      conversation.endedAt = new Date().toISOString();
      conversation.endedBy ??= 'agent';
      this.calls.log(call, 'agent', `${agentKey} finished talking to the caller (ended by ${conversation.endedBy})`);
    });
  }
}

/** Whether a resource account (application instance) is a party: the target of an incoming call, the source of ours. */
function involvesApplicationInstance(call: EmulatedCall): boolean {
  const parties = [call.source, ...call.targets] as { identity?: { applicationInstance?: unknown } }[];
  return parties.some((p) => p.identity?.applicationInstance !== undefined);
}
