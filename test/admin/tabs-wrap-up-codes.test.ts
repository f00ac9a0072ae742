/**
 * The codes an agent's tab offers for the call on their card (issue 23, point 3): the call's queue's `wrapUpCodes`
 * when it lists some, else every active code; nothing without a call. floorFor is what the live stream sends each tab.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/admin/identity.js';
import { floorFor, type CallCard, type FloorSnapshot } from '../../src/tabs/floor.js';

const adele: Caller = { objectId: 'adele', name: 'Adele', tenantId: 't', roles: ['Switchboard.Agent'], ip: '::1' };
const card = (callId: string, queue: string): CallCard => ({
  callId,
  workflowId: `call-${callId}`,
  from: { number: null, name: null },
  line: null,
  queue,
  path: [],
  tags: [],
  data: {},
});
const ACTIVE = [
  { code: 'escalated', label: 'Escalated' },
  { code: 'resolved', label: 'Resolved' },
  { code: 'sold', label: 'Sold' },
];
const floor = (callId: string | null): FloorSnapshot => ({
  agents: [{ agentId: 'adele', state: callId ? 'wrapUp' : 'available', since: '2026-12-07T10:00:00Z', callId }],
  waiting: [],
  cards: { c1: card('c1', 'sales'), c2: card('c2', 'support') },
  queues: [],
  wrapUpCodes: ACTIVE,
});
const directory = {
  agentNames: { adele: 'Adele' },
  queueAgents: { sales: ['adele'], support: ['adele'] },
  // 'no-sale' is in sales' list but not active (or not made yet): it is not offered.
  queueWrapUpCodes: { sales: ['sold', 'no-sale'] },
};

describe("the agent tab's wrap-up codes", () => {
  it("offers the active codes of the call's queue's list", () => {
    expect(floorFor(adele, floor('c1'), directory).me!.wrapUpCodes).toEqual([{ code: 'sold', label: 'Sold' }]);
  });
  it('offers every active code for a queue with no list of its own', () => {
    expect(floorFor(adele, floor('c2'), directory).me!.wrapUpCodes).toEqual(ACTIVE);
  });
  it('offers none without a call', () => {
    expect(floorFor(adele, floor(null), directory).me!.wrapUpCodes).toEqual([]);
  });
});
