import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { condition, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CallRecord } from '../src/contracts/activities/records.js';
import type { CallOutcome } from '../src/contracts/call.js';
import type { CallSearchAttribute } from '../src/contracts/search-attributes.js';
import { CALL_SEARCH_ATTRIBUTES_PATCH } from './patches.js';
import { callPatched } from './call-patches.js';

const key = (name: CallSearchAttribute) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);
const QUEUE = key('Queue');
const AGENT = key('Agent');
const OUTCOME = key('Outcome');
const FLOW_NAME = key('FlowName');
const LINE = key('Line');

/**
 * Keeps the call's search attributes (src/contracts/search-attributes.ts) up to date as the call moves on, so the
 * Temporal UI finds it by queue, agent and outcome while it runs and after: FlowName and Line at once (the webhook
 * sets them at start too, with CallerHash; a call started otherwise, a callback or a test, gets them here), Queue when
 * the call enters a queue (and again if it moves on to another), Agent when an agent is connected, Outcome at the end.
 * Only ids and names we gave: never the caller's number or name. Each upsert is a command, hence the patch.
 */
export class CallSearchAttributes {
  private readonly on: boolean;
  private sent: { queue?: string; agent?: string } = {};

  constructor(private readonly record: CallRecord) {
    this.on = callPatched(CALL_SEARCH_ATTRIBUTES_PATCH);
    if (!this.on) return;
    // The webhook set what it knew at start: only what it did not know (or set otherwise) is written again.
    const known = workflowInfo().typedSearchAttributes;
    const start: SearchAttributeUpdatePair[] = [];
    const flow = record.flow ?? 'unknown';
    if (known.get(FLOW_NAME) !== flow) start.push({ key: FLOW_NAME, value: flow });
    if (record.toId && known.get(LINE) !== record.toId) start.push({ key: LINE, value: record.toId });
    if (start.length) upsertSearchAttributes(start);
    void this.follow();
  }

  /** Queue and Agent as the recorder learns them; no timer, so the loop adds no command of its own. */
  private async follow(): Promise<void> {
    for (;;) {
      await condition(() => this.changed() || this.record.outcome !== undefined);
      if (this.record.outcome !== undefined) return;
      this.upsertChanges();
    }
  }

  private agent(): string | undefined {
    return this.record.connectedAt ? this.record.agentId : undefined;
  }

  private changed(): boolean {
    return this.record.queue !== this.sent.queue || this.agent() !== this.sent.agent;
  }

  private upsertChanges(extra: SearchAttributeUpdatePair[] = []): void {
    const pairs: SearchAttributeUpdatePair[] = [...extra];
    const queue = this.record.queue;
    const agent = this.agent();
    if (queue !== this.sent.queue && queue !== undefined) pairs.push({ key: QUEUE, value: queue });
    if (agent !== this.sent.agent && agent !== undefined) pairs.push({ key: AGENT, value: agent });
    this.sent = { ...(queue !== undefined ? { queue } : {}), ...(agent !== undefined ? { agent } : {}) };
    if (pairs.length) upsertSearchAttributes(pairs);
  }

  /** The call is over: its outcome, with whatever queue or agent was not written yet, in one upsert. */
  finish(outcome: CallOutcome): void {
    if (this.on) this.upsertChanges([{ key: OUTCOME, value: outcome }]);
  }
}
