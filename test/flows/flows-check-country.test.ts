import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flows } from '../../cli/flows.js';

// Issue 26, point 1: a line's `country` (FlowDefinition.country) reads the numbers its callers key, so `flows validate`
// refuses one libphonenumber does not know ('UK' is not ISO 3166-1: the United Kingdom is 'GB'). A copy of the shipped
// flows/, the rest of the repo linked in, as the other flows-check tests do.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let root: string;

async function validate(): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await flows(['validate'], root, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function setCountry(country: string): void {
  const file = path.join(root, 'flows/support-line.ts');
  const text = readFileSync(path.join(repo, 'flows/support-line.ts'), 'utf8');
  // The shipped line names its country (a US line): that one is replaced; a line without one gets it after its numbers.
  const shipped = /country: '[A-Za-z]*',/;
  const marker = "numbers: ['ra-support'],";
  if (shipped.test(text)) return writeFileSync(file, text.replace(shipped, `country: '${country}',`));
  if (!text.includes(marker)) throw new Error(`fixture: support-line.ts no longer contains ${marker}`);
  writeFileSync(file, text.replace(marker, `${marker}\n  country: '${country}',`));
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-flows-country-'));
  cpSync(path.join(repo, 'flows'), path.join(root, 'flows'), { recursive: true });
  for (const dir of ['src', 'workflows', 'node_modules']) symlinkSync(path.join(repo, dir), path.join(root, dir));
  for (const file of ['tsconfig.json', 'package.json']) copyFileSync(path.join(repo, file), path.join(root, file));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('flows validate checks each line’s country', () => {
  it("refuses 'UK' at its file:line:col, naming the fix", async () => {
    setCountry('UK');
    const r = await validate();
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /flows\/support-line\.ts:\d+:\d+: country 'UK' is not a country code libphonenumber knows: use ISO 3166-1 alpha-2/,
    );
  }, 120_000);

  it("takes 'GB'", async () => {
    setCountry('GB');
    const r = await validate();
    expect(r.stdout + r.stderr).not.toMatch(/country/);
    expect(r.code).toBe(0);
  }, 120_000);
});
