/**
 * A presence poll that Graph throttles waits its Retry-After (issue 21, point 6). Graph answers 429 with Retry-After
 * when throttling (microsoft-graph-docs-contrib concepts/throttling.md: "wait the number of seconds specified in the
 * Retry-After header" before the next request; getPresencesByUserId is limited to 1,500 requests per 30 s). The
 * poller activity runs against the Graph emulator, which throttles one read with Retry-After: 2; the poller polls every
 * 100 ms otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAgentActivities } from '../../activities/agents.js';
import { PresenceReader } from '../../src/graph/presence.js';
import { rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

describe('presence poller and 429', () => {
  it('waits the Retry-After before its next read, then polls at its own pace again', async () => {
    const signalled: string[] = [];
    // The agents' workflows only receive signals here: a client that takes them.
    const client = {
      workflow: { getHandle: (id: string) => ({ signal: async () => void signalled.push(id) }) },
    } as unknown as Client;
    const activities = createAgentActivities({
      client,
      taskQueue: 'unused',
      orm: undefined,
      queues: {},
      presence: async () => new PresenceReader(rig.graph),
    });
    const reads = () => rig.emulator.requests.filter((r) => r.path.endsWith('/communications/getPresencesByUserId'));
    rig.emulator.injectFault({ action: 'getPresencesByUserId', status: 429, retryAfterSeconds: 2, times: 1 });

    const result = (await new MockActivityEnvironment().run(activities.pollPresence, {
      agentIds: ['presence-agent-1'],
      intervalMs: 100,
      runForMs: 3500,
    })) as { polls: number; signals: number };

    const all = reads();
    const throttled = all.findIndex((r) => r.status === 429);
    expect(throttled).toBe(0);
    const next = all[throttled + 1]!;
    expect(next.status).toBe(200);
    // The read after the 429 came no sooner than Retry-After said.
    expect(Date.parse(next.at) - Date.parse(all[throttled]!.at)).toBeGreaterThanOrEqual(2000);
    // And polling went on at its own pace afterwards: more reads in the remaining time, all answered.
    expect(all.slice(throttled + 1).every((r) => r.status === 200)).toBe(true);
    expect(all.length - throttled - 1).toBeGreaterThanOrEqual(3);
    expect(result.polls).toBe(all.length - 1);
    expect(signalled).toContain('agent-presence-agent-1');
  });
});
