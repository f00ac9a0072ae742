/**
 * Issue 21, point 8: the shipped scenarios agent-voicemail.json and long-wait.json. `switchboard simulate` of
 * agent-voicemail, against the real stack with the emulator at real speed (Teams' 20 s voicemail timer comes before
 * Graph's 30 s ring timeout), ends with the caller put through to Alex, who pressed 1 at the whisper, never to Adele's
 * mailbox.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../devkit/scenarios/scenario.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';
import { queues } from '../../flows/index.js';
import { runCli } from '../helpers/cli.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
const [adele, alex] = queues.support!.agents as [string, string];
const root = path.resolve(import.meta.dirname, '../..');
const scenarioFile = (name: string) => path.join(root, `devkit/scenarios/${name}.json`);

stackForFile(async () => (stack = await startTestStack({ EMULATOR_MEDIA_SPEED: '1' })));

describe('the agent-voicemail and long-wait scenarios', () => {
  it('both load and validate; long-wait allows for its 15-minute wait', async () => {
    const voicemail = await loadScenario(scenarioFile('agent-voicemail'));
    expect(voicemail.agents?.[adele]).toMatchObject({ callAnswering: { voicemailAfterMs: 20000 } });
    const long = await loadScenario(scenarioFile('long-wait'));
    expect(long.timeoutMs).toBeGreaterThan(900_000);
  });

  it('switchboard simulate agent-voicemail: Adele’s voicemail picks up, the caller ends with Alex, who pressed 1', async () => {
    const r = await runCli(['simulate', scenarioFile('agent-voicemail')], { EMULATOR_URL: stack.emulator!.url });
    process.stdout.write(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const callId = /^caller ([0-9a-f-]{36}):/.exec(lines.at(-1)!)![1]!;
    expect(lines.at(-2)).toBe(`caller ${callId}: put through to ${alex} (accepted)`);
    expect(lines.at(-1)).toBe(`caller ${callId}: terminated (AppTransferred)`);
    // The rings are printed too: Adele's voicemail answered hers and pressed nothing; Alex answered and pressed 1.
    expect(r.stdout).toMatch(new RegExp(`ring\\d\\s+caller\\s+${adele}'s voicemail answers`));
    expect(r.stdout).toMatch(/ring\d\s+caller\s+presses 1/);

    // Adele's ring: her voicemail answered it, Switchboard whispered, heard no key, hung up. Alex's: he pressed 1.
    const events = await stack.orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } });
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => e.payload);
    const [adeleRing] = of('agentConfirming') as { agentId: string; ringCallId: string }[];
    expect(adeleRing).toMatchObject({ agentId: adele });
    const adeleView = stack.emulator!.getCall(adeleRing!.ringCallId)!;
    expect(adeleView.history.some((h) => h.kind === 'caller' && h.detail.includes('voicemail answers'))).toBe(true);
    expect(of('agentNotConfirmed')).toEqual([{ agentId: adele, ringCallId: adeleRing!.ringCallId, result: 'noKey' }]);
    expect(of('agentConfirmed')).toMatchObject([{ agentId: alex }]);
    expect(await stack.orm.em.fork().findOneOrFail(Call, { id: callId })).toMatchObject({
      outcome: 'connected',
      agentId: alex,
    });
  });
});

// Issue 28: runs last. The scenario's call, the queue, the agents and the presence poller replay on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
});
