import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type Services } from '../helpers/services.js';
import { runCli } from '../helpers/cli.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { makeToneWav } from '../../src/media/wav.js';
import { bar, commandProgress } from '../../src/infra/progress.js';

// Long commands show progress (issue 26, point 8): `switchboard privacy export|erase` and `switchboard seed`, run as
// a user runs them (a child process, real Postgres, a Temporal dev server). Progress goes to stderr, the result alone
// to stdout; stderr is a pipe here, so the progress is plain lines (a terminal gets one line rewritten in place).
let s: Services;
let recordings: FolderRecordingStore;
const hmacKey = 'test-privacy-hmac-key-0123456789abcdef';

beforeAll(async () => {
  s = await startServices('cli-progress', { migrate: true });
  recordings = new FolderRecordingStore(path.join(s.dataDir, 'recordings'));
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const env = () => ({
  DATABASE_URL: s.db.url,
  TEMPORAL_ADDRESS: s.temporal.address,
  RECORDINGS_DIR: recordings.root,
  PRIVACY_HMAC_KEY: hmacKey,
  DATA_DIR: s.dataDir,
});

/** A UK caller's call with a recording, and its workflow in Temporal (no worker: it stays open). */
async function ukCall(id: string) {
  const knex = s.orm.em.getKnex();
  const at = new Date();
  await knex('call').insert({
    id,
    workflow_id: `call-${id}`,
    from_kind: 'phone',
    from_id: '+442079460958',
    queue: 'support',
    arrived_at: at,
    updated_at: at,
  });
  const stored = await recordings.put(makeToneWav({ seconds: 0.2, frequencies: [440] }));
  await knex('recording').insert({
    call_id: id,
    storage_key: stored.key,
    sha256: stored.sha256,
    size_bytes: stored.sizeBytes,
    duration_ms: 200,
  });
  await s.client.workflow.start('callWorkflow', {
    workflowId: `call-${id}`,
    taskQueue: 'cli-progress-no-worker',
    args: [{ from: 'hidden' }],
  });
}

describe('switchboard privacy: progress on stderr, the number formatted on stdout', () => {
  it('export counts the recordings copied and the Temporal histories looked up', async () => {
    for (const id of ['uk-1', 'uk-2', 'uk-3']) await ukCall(id);
    const out = path.join(s.dataDir, 'export-uk');
    // Keyed in the UK's national format, read with PHONE_REGION=GB.
    const r = await runCli(['privacy', 'export', '--caller', '020 7946 0958', '--out', out], {
      ...env(),
      PHONE_REGION: 'GB',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^exported for \+44 20 7946 0958: 3 calls, 0 voicemails, 0 callbacks, 3 recordings → /);
    expect(r.stderr.split('\n')).toEqual(
      expect.arrayContaining(['recordings copied: 3/3', 'Temporal histories looked up: 3/3']),
    );
    // Plain lines, no cursor control, in a pipe; and the number is in neither stream's progress.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toMatch(/7946|0958/);
  });

  it('erase counts the Temporal histories deleted', async () => {
    const r = await runCli(['privacy', 'erase', '--caller', '+442079460958'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^erased for \+44 20 7946 0958: 3 calls, .* 3 Temporal histories deleted/);
    expect(r.stderr.split('\n')).toContain('Temporal histories deleted: 3/3');
  });
});

describe('switchboard seed: progress on stderr, the summary alone on stdout', () => {
  it('prints the calls seeded as they go (batches of 5000)', async () => {
    const r = await runCli(['seed', '--calls', '12000', '--days', '2'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^seeded 12000 calls and \d+ agent state changes over 2 days in [\d.]+ s\n$/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('calls seeded'));
    expect(lines).toEqual(['calls seeded: 5000/12000', 'calls seeded: 10000/12000', 'calls seeded: 12000/12000']);
  }, 120_000);
});

describe('the progress helper', () => {
  function stream(isTTY: boolean) {
    const written: string[] = [];
    return { written, isTTY, write: (chunk: string) => written.push(chunk) > 0 };
  }

  it('on a terminal rewrites one line with the bench-style bar and clears it at the end', () => {
    const tty = stream(true);
    const p = commandProgress(tty);
    p.step('recordings copied', 1, 4);
    p.step('recordings copied', 4, 4);
    p.end();
    expect(tty.written).toEqual([
      `\r\x1b[Krecordings copied ${bar(1, 4)}`,
      `\r\x1b[Krecordings copied [${'#'.repeat(30)}] 4/4`,
      '\r\x1b[K',
    ]);
  });

  it('in a pipe prints a line per tenth, never the same twice, and nothing for an empty step', () => {
    const pipe = stream(false);
    const p = commandProgress(pipe);
    for (let done = 0; done <= 100; done++) p.step('histories', done, 100);
    p.step('nothing to do', 0, 0);
    expect(pipe.written).toEqual([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `histories: ${n}/100\n`));
  });
});
