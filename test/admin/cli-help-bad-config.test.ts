/**
 * Issue 26, point 8: help answers before configuration is read, so a user whose environment is wrong can still read
 * the usage. Found by the point-by-point audit: `switchboard calls --help` and `calls transfer --help` loaded the
 * configuration first and exited 2 on a bad PHONE_REGION; the other commands already answered.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// PHONE_REGION 'UK' is refused by loadConfig (the country is GB): any command that reads the configuration exits 2.
const BROKEN = { PHONE_REGION: 'UK', DATABASE_URL: '', TEMPORAL_ADDRESS: '', SWITCHBOARD_ADMIN_TOKEN: '' };

describe('switchboard calls --help with a broken configuration', () => {
  it('prints the calls and calls transfer usage under their own names, exit 0, nothing on stderr', async () => {
    const [calls, transfer, list] = await Promise.all([
      runCli(['calls', '--help'], BROKEN),
      runCli(['calls', 'transfer', '-h'], BROKEN),
      runCli(['calls', '--limit', '3'], BROKEN),
    ]);
    expect(calls).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^usage: switchboard calls \[--caller X\]/),
      stderr: '',
    });
    expect(transfer).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^usage: switchboard calls transfer <call id> --queue Q \| --agent AGENT/),
      stderr: '',
    });
    // Without --help the command does read the configuration, and says what is wrong with it.
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/^Invalid configuration: PHONE_REGION="UK"/);
  });
});
