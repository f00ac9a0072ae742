/**
 * Issue 26, point 6 (audit): with Temporal's standard configuration a profile of the TOML file may decide where the
 * CLI connects, so when that is wrong the CLI must say where it looked. Before, `switchboard agents …` ended with the
 * SDK's "switchboard: Failed to connect before the deadline", naming neither the address nor the namespace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-profile-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('switchboard agents with a Temporal profile that points nowhere', () => {
  it('exits 1 naming the profile’s address and namespace and what to check', async () => {
    const file = path.join(dir, 'temporal.toml');
    // Port 1 (tcpmux) refuses connections on any machine that runs these tests.
    await writeFile(file, '[profile.prod]\naddress = "127.0.0.1:1"\nnamespace = "contact-center"\n');
    const r = await runCli(['agents', 'available', 'adele'], {
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_NAMESPACE: '',
      DATABASE_URL: '',
    });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(
      /^switchboard: Temporal at 127\.0\.0\.1:1 \(namespace contact-center\) is out of reach: .+\. Check TEMPORAL_ADDRESS, or the profile \(TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE\), or start Temporal\n$/,
    );
  });
});
