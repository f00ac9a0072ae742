import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../cli/flows.js';

// Issue 24, point 5: `flows validate` checks a flow's post-call survey (call.queue(name, { survey })): its prompts
// play, and the wait connects by conference, since after a transfer Switchboard has left the call and cannot ask.
// A copy of the shipped flows/ (the care line asks one), the rest of the repo linked in, as the other flows-check tests.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CARE_LINE = 'flows/care-line.ts';
let root: string;

async function validate(): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await flows(['validate'], root, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
  return { code, out };
}

function editCareLine(from: string, to: string): void {
  const file = path.join(root, CARE_LINE);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture: ${CARE_LINE} no longer contains ${from}`);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-flows-survey-'));
  cpSync(path.join(repo, 'flows'), path.join(root, 'flows'), { recursive: true });
  for (const dir of ['src', 'workflows', 'node_modules']) symlinkSync(path.join(repo, dir), path.join(root, dir));
  for (const file of ['tsconfig.json', 'package.json']) copyFileSync(path.join(repo, file), path.join(root, file));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('flows validate checks a queue wait’s survey', () => {
  it('takes the shipped care line (conference, prompts that play)', async () => {
    const r = await validate();
    expect(r.out).not.toMatch(/survey/);
    expect(r.code).toBe(0);
  }, 120_000);

  it('refuses a survey on a wait that connects by transfer, and a survey prompt that does not exist', async () => {
    editCareLine("{ connectBy: 'conference', survey: CARE_SURVEY }", '{ survey: CARE_SURVEY }');
    editCareLine("prompt: 'survey-resolved.wav'", "prompt: 'survey-missing.wav'");
    const r = await validate();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /flows\/care-line\.ts:\d+:\d+: queue survey: queue support connects by transfer, after which Switchboard has left the call and cannot ask; add connectBy: 'conference'/,
    );
    expect(r.out).toMatch(/flows\/care-line\.ts:\d+:\d+: queue survey: .*survey-missing\.wav/);
  }, 120_000);
});
