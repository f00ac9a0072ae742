import { execFile } from 'node:child_process';
import { access, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from '../helpers/cli-commands.js';

// Issue 26, point 7: the image works. The image's file list is built here as the Dockerfile builds it, without
// Docker: package.json and package-lock.json, `npm ci` with the Dockerfile's own flags (--omit=dev: no dev
// dependency), then the build context (`COPY . .`: the repository's files less .dockerignore). The CLI then runs from
// that folder through the Dockerfile's ENTRYPOINT (node --import tsx cli/main.ts), with NODE_ENV=production as the
// image sets it: every command's --help, and `flows validate`, which type-checks the flows with `typescript`.
const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
let image: string;

/** The Dockerfile's instructions, one per line (no continuation lines in ours). */
async function dockerfile(): Promise<string[]> {
  const text = await readFile(path.join(repo, 'Dockerfile'), 'utf8');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

beforeAll(async () => {
  const lines = await dockerfile();
  // What the build does, as the Dockerfile says it: if these change, this test must change with them.
  expect(lines).toContain('COPY package.json package-lock.json ./');
  expect(lines).toContain('COPY . .');
  expect(lines).toContain('ENV NODE_ENV=production');
  expect(lines).toContain('ENTRYPOINT ["node", "--import", "tsx", "cli/main.ts"]');
  const install = lines.find((l) => l.startsWith('RUN npm ci '));
  expect(install, 'the Dockerfile installs with npm ci').toBeDefined();
  const ciArgs = install!
    .replace(/^RUN npm /, '')
    .split('&&')[0]!
    .trim()
    .split(/\s+/);
  expect(ciArgs).toContain('--omit=dev');

  image = await mkdtemp(path.join(os.tmpdir(), 'switchboard-image-'));
  for (const f of ['package.json', 'package-lock.json']) await copyFile(path.join(repo, f), path.join(image, f));
  // The npm cache of this machine, as a build cache would be: nothing is fetched that is already there.
  await run('npm', [...ciArgs, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: image,
    env: { ...process.env, NODE_ENV: 'production' },
    timeout: 540_000,
  });
  // `COPY . .`: the repository's files, less what .dockerignore leaves out (root-anchored names, as Docker reads them).
  const ignored = (await readFile(path.join(repo, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  await run(
    '/bin/sh',
    [
      '-c',
      'git ls-files -z -- . "$@" | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$IMAGE"',
      'sh',
      ...ignored.map((p) => `:(exclude)${p}`),
    ],
    { cwd: repo, env: { ...process.env, IMAGE: image }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
}, 600_000);

afterAll(async () => {
  if (image) await rm(image, { recursive: true, force: true });
});

const present = (p: string) =>
  access(path.join(image, p)).then(
    () => true,
    () => false,
  );

describe('the image (npm ci --omit=dev)', () => {
  it('holds typescript, which flows validate needs at run time, and no dev dependency', async () => {
    expect(await present('node_modules/typescript/package.json')).toBe(true);
    expect(await present('node_modules/tsx/package.json')).toBe(true);
    for (const dev of ['vitest', 'eslint', 'prettier', '@temporalio/testing', 'playwright-core'])
      expect(await present(`node_modules/${dev}`), dev).toBe(false);
    expect(await present('cli/main.ts')).toBe(true);
    expect(await present('flows/flows.ts')).toBe(true);
  });

  it('answers --help for every command and subcommand', async () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: '', TEMPORAL_ADDRESS: '', GRAPH_BASE_URL: '' };
    const lines = [['--help'], ...COMMANDS.map((c) => [...c, '--help'])];
    const failed: string[] = [];
    for (let i = 0; i < lines.length; i += 4) {
      const batch = lines.slice(i, i + 4);
      const results = await Promise.all(batch.map((args) => runCli(args, env, { root: image })));
      results.forEach((r, j) => {
        if (r.code !== 0 || !/usage/i.test(r.stdout))
          failed.push(`switchboard ${batch[j]!.join(' ')}: exit ${r.code}: ${(r.stderr || r.stdout).slice(0, 300)}`);
      });
    }
    expect(failed).toEqual([]);
  }, 300_000);

  it('runs switchboard flows validate', async () => {
    const r = await runCli(['flows', 'validate'], { NODE_ENV: 'production' }, { root: image });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flows OK: \d+ flows, \d+ numbers/m);
  }, 120_000);
});
