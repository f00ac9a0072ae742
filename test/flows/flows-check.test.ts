import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../cli/flows.js';
import { formatCheck } from '../../src/flows-check/report.js';
import { checkFlows } from '../../src/flows-check/validate.js';
import { makeToneWav } from '../../src/media/wav.js';
import { schedules } from '../../flows/schedules.js';
import { voicemailBoxes } from '../../flows/voicemail-boxes.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function run(argv: string[], root = repo): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await flows(argv, root, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

// A copy of the shipped flows/ (the rest of the repo linked in, so its imports resolve), with deliberate mistakes.
let root: string;

function edit(rel: string, from: string, to: string): void {
  const file = path.join(root, rel);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture: ${rel} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

function lineOf(rel: string, marker: string): number {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const index = text.indexOf(marker);
  if (index < 0) throw new Error(`fixture: ${rel} has no ${JSON.stringify(marker)}`);
  return text.slice(0, index).split('\n').length;
}

/** `file:line:col: message` for the first place `marker` occurs in the fixture file; '@@' in it marks the column. */
function at(rel: string, marker: string, message: string): string {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const offset = marker.indexOf('@@');
  const index = text.indexOf(marker.replace('@@', ''));
  if (index < 0) throw new Error(`fixture: ${rel} has no ${JSON.stringify(marker)}`);
  const before = text.slice(0, index + Math.max(0, offset));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `${rel}:${line}:${col}: ${message}`;
}

const BROKEN_LINE = `import type { Call, FlowDefinition } from '../workflows/flow/api.js';

const FAREWELL = ['goodbye.wav', 'farewell-missing.wav'];

async function nothing(_call: Call): Promise<void> {}

async function leaveMessage(call: Call, box: string): Promise<void> {
  await call.voicemail(box);
}

export const brokenLine: FlowDefinition = {
  name: 'broken-line',
  description: 'Every mistake validate must catch',
  numbers: ['ra-broken', 'ra-main'],
  async run(call) {
    await call.play('missing.wav');
    await call.play(['greeting.wav', 'loud-44k.wav', 'notes.wav']);
    await call.queue('nope');
    await call.transfer({ queue: 'sales-typo' });
    await call.isOpen('weekends');
    await call.lookup('crm', {}, { fallback: null });
    await leaveMessage(call, 'no-such-box');
    const box = call.data.box;
    if (typeof box === 'string') await call.voicemail(box);
    await call.menu({
      prompt: { en: 'main-menu.wav', fr: 'menu-fr-missing.wav' },
      options: { '1': nothing, '2': undefined, '3': async () => {}, a: nothing, '4': (c) => c.hangup() },
    });
    await call.menu({ prompt: 'greeting.wav', options: {} });
    const retries: number = 'three';
    await call.play(FAREWELL);
    await call.hangup(retries > 0 ? 'goodbye.wav' : 'bye-missing.wav');
  },
};
`;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-flows-check-'));
  cpSync(path.join(repo, 'flows'), path.join(root, 'flows'), { recursive: true });
  for (const dir of ['src', 'workflows', 'node_modules']) symlinkSync(path.join(repo, dir), path.join(root, dir));
  // package.json too: its "type": "module" decides how NodeNext checks flows/ (import.meta in lookups.ts).
  for (const file of ['tsconfig.json', 'package.json']) copyFileSync(path.join(repo, file), path.join(root, file));

  writeFileSync(path.join(root, 'flows/broken-line.ts'), BROKEN_LINE);
  edit(
    'flows/flows.ts',
    "import { vipLine } from './vip-line.js';",
    "import { vipLine } from './vip-line.js';\nimport { brokenLine } from './broken-line.js';",
  );
  edit(
    'flows/flows.ts',
    'vipLine, defaultLine]',
    "vipLine, defaultLine, brokenLine,\n  { name: 'main-line', description: 'a copy', numbers: ['default'], run: async (call) => call.hangup() }]",
  );
  // The admins' flow tests are not flows: npm test checks them, flows validate does not.
  writeFileSync(
    path.join(root, 'flows/broken.test.ts'),
    "const n: number = 'not checked by flows validate';\nexport default n;\n",
  );
  writeFileSync(path.join(root, 'flows/prompts/loud-44k.wav'), makeToneWav({ seconds: 0.1, sampleRate: 44100 }));
  writeFileSync(path.join(root, 'flows/prompts/notes.wav'), 'this is not audio at all\n');
  unlinkSync(path.join(root, 'flows/prompts/callback-confirm.wav'));
  // Queues as a plain object literal (the shipped index.ts goes through validateQueues), with bad queue actions.
  writeFileSync(
    path.join(root, 'flows/index.ts'),
    `import type { QueueConfig } from '../src/contracts/queue-config.js';

type Queue = Pick<QueueConfig, 'agents' | 'overflowAction' | 'timeoutAction' | 'noAgentsAction'>;

export const queues: Record<string, Queue> = {
  support: {
    agents: ['adele'],
    overflowAction: { type: 'queue', queue: 'sales' },
    timeoutAction: { type: 'voicemail', mailbox: 'support' },
    noAgentsAction: { type: 'disconnect' },
  },
  sales: {
    agents: ['megan'],
    overflowAction: { type: 'queue', queue: 'saless' },
    timeoutAction: { type: 'transfer', phone: '+14255550199' },
    noAgentsAction: { type: 'voicemail', mailbox: 'sales' },
  },
  billing: {
    agents: ['adele'],
    overflowAction: { type: 'disconnect', prompt: 'queue-full-missing.wav' },
    timeoutAction: { type: 'voicemail', mailbox: 'billing' },
    noAgentsAction: { type: 'disconnect', prompt: 'queue-full.wav' },
  },
};
`,
  );
  edit(
    'flows/voicemail-boxes.ts',
    "greeting: 'voicemail-greeting.wav',\n    maxSeconds: 90",
    "greeting: 'sales-greeting.wav',\n    maxSeconds: 90",
  );
  edit('flows/schedules.ts', "date: '2026-11-27'", "date: '2026-02-30'");
  // Lookups not written as an object literal: validate asks the module for its names.
  writeFileSync(
    path.join(root, 'flows/lookups.ts'),
    `export interface Customer { name: string; tier: 'vip' | 'standard'; accountManager?: string }
const table: Array<[string, (input: unknown) => Promise<unknown>]> = [['customerByPhone', async () => null]];
export const lookups = Object.fromEntries(table);
`,
  );
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('switchboard flows validate', () => {
  it('reports every deliberate mistake in a copy of flows/ at its file:line:col, and exits 1', async () => {
    const { code, stdout, stderr } = await run(['validate', '--root', root]);
    const b = 'flows/broken-line.ts';
    const queueNames = 'support, sales, billing';
    const boxNames = Object.keys(voicemailBoxes).join(', ');
    const expected = [
      at(b, "@@'farewell-missing.wav'", "prompt 'farewell-missing.wav' not found in flows/prompts/"),
      at(
        b,
        "numbers: ['ra-broken', @@'ra-main']",
        "number 'ra-main' is answered by two flows: 'broken-line' and 'main-line'",
      ),
      at(b, "@@'missing.wav'", "prompt 'missing.wav' not found in flows/prompts/"),
      at(
        b,
        "@@'loud-44k.wav'",
        "prompt 'loud-44k.wav' is PCM 44100 Hz 16-bit mono; Graph plays only PCM 16000 Hz 16-bit mono WAV",
      ),
      at(
        b,
        "@@'notes.wav'",
        `prompt 'notes.wav' is not a usable WAV file: Not a WAV file: starts with "this" instead of "RIFF"`,
      ),
      at(b, "@@'nope'", `unknown queue 'nope' (queues in flows/index.ts: ${queueNames})`),
      at(b, "@@'sales-typo'", `unknown queue 'sales-typo' (queues in flows/index.ts: ${queueNames})`),
      at(
        b,
        "@@'weekends'",
        `unknown schedule 'weekends' (schedules in flows/schedules.ts: ${Object.keys(schedules).join(', ')})`,
      ),
      at(b, "@@'crm'", "unknown lookup 'crm' (lookups in flows/lookups.ts: customerByPhone)"),
      at(
        b,
        "@@'no-such-box'",
        `unknown voicemail box 'no-such-box' (voicemail boxes in flows/voicemail-boxes.ts: ${boxNames}), as leaveMessage's box`,
      ),
      at(b, "@@'menu-fr-missing.wav'", "prompt 'menu-fr-missing.wav' not found in flows/prompts/"),
      at(b, "@@'1': nothing", "menu option '1' leads nowhere: nothing is an empty function"),
      at(b, "@@'2': undefined", "menu option '2' leads nowhere: its value is undefined"),
      at(b, "@@'3': async", "menu option '3' leads nowhere: the function is empty"),
      at(
        b,
        '@@a: nothing',
        "error TS2353: Object literal may only specify known properties, and 'a' does not exist in type 'Partial<Record<Key, (call: Call) => Promise<void>>>'.",
      ),
      at(b, '@@a: nothing', "menu option 'a' is not a keypad key (0-9, *, #)"),
      at(b, '@@a: nothing', "menu option 'a' leads nowhere: nothing is an empty function"),
      at(b, 'options: @@{} })', 'menu has no options: every key would be invalid'),
      at(b, 'const @@retries', "error TS2322: Type 'string' is not assignable to type 'number'."),
      at(b, "@@'bye-missing.wav'", "prompt 'bye-missing.wav' not found in flows/prompts/"),
      at(
        'flows/flows.ts',
        "{ name: @@'main-line'",
        `flow name 'main-line' is used twice (also at flows/main-line.ts:${lineOf('flows/main-line.ts', 'export const mainLine')})`,
      ),
      at(
        'flows/flows.ts',
        "numbers: [@@'default']",
        `more than one flow answers 'default' (also at flows/support-line.ts:${lineOf('flows/support-line.ts', "numbers: ['default']")})`,
      ),
      at(
        'flows/index.ts',
        "queue: @@'saless'",
        `queue 'sales' overflowAction: unknown queue 'saless' (queues in flows/index.ts: ${queueNames})`,
      ),
      at(
        'flows/index.ts',
        "prompt: @@'queue-full-missing.wav'",
        "queue 'billing' overflowAction: prompt 'queue-full-missing.wav' not found in flows/prompts/",
      ),
      at(
        'flows/index.ts',
        "mailbox: @@'billing'",
        `queue 'billing' timeoutAction: unknown voicemail box 'billing' (voicemail boxes in flows/voicemail-boxes.ts: ${boxNames})`,
      ),
      at(
        'flows/main-line.ts',
        "@@call.queue('support', { offerCallbackAfterSeconds: 120 })",
        "queue callback offer: default confirmPrompt: prompt 'callback-confirm.wav' not found in flows/prompts/",
      ),
      at(
        'flows/schedules.ts',
        "date: @@'2026-02-30'",
        "schedule 'main-office': specialDates[0].date: '2026-02-30' is not a real date",
      ),
      at(
        'flows/support-line.ts',
        "@@call.queue('support', { offerCallbackAfterSeconds: 120 })",
        "queue callback offer: default confirmPrompt: prompt 'callback-confirm.wav' not found in flows/prompts/",
      ),
      at(
        'flows/voicemail-boxes.ts',
        "@@'sales-greeting.wav'",
        "voicemail box 'sales' greeting: prompt 'sales-greeting.wav' not found in flows/prompts/",
      ),
      '29 problems in flows/ (2 type errors, 27 flow problems)',
    ];
    expect(stderr).toBe('');
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
    expect(code).toBe(1);
  });
});

describe('the shipped flows', () => {
  it('validate clean', async () => {
    const check = await checkFlows(repo);
    expect(check.problems).toEqual([]);
    expect(formatCheck(check)).toEqual({
      ok: true,
      text: `flows OK: ${check.flows.length} flows, ${new Set(check.flows.flatMap((f) => f.numbers).filter((n) => n !== 'default')).size} numbers\n`,
    });
    expect(check.flows.map((f) => f.name)).toEqual(
      expect.arrayContaining(['main-line', 'support-line', 'vip-line', 'default']),
    );
  });

  it('are listed with their numbers, description and what they use, main-line following its sub-flows', async () => {
    const { code, stdout, stderr } = await run(['list']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const mainLine = stdout.split('\n\n').find((block) => block.startsWith('main-line\n'));
    expect(mainLine).toBe(
      [
        'main-line',
        '  numbers:         ra-main',
        '  description:     Business hours and holidays, then a sales/support/billing menu; after hours, voicemail',
        '  queues:          sales, support, billing',
        '  voicemail boxes: after-hours, sales, support',
        '  schedules:       main-office',
        '  lookups:         -',
      ].join('\n'),
    );
    expect(stdout).toContain('vip-line\n  numbers:         ra-support-vip\n');
    expect(stdout).toContain('  lookups:         customerByPhone\n');
  });

  it('a usage error exits 2', async () => {
    expect(await run([])).toMatchObject({ code: 2, stdout: '' });
    expect(await run(['check'])).toMatchObject({ code: 2, stdout: '' });
    expect((await run(['validate', '--nope'])).code).toBe(2);
  });
});
