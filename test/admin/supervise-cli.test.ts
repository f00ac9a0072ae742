/**
 * `switchboard admin supervise barge|monitor <call id> [--oid …]` (issue 24, point 3) against the admin API: the
 * request the CLI makes, the API's refusals as exit codes with their message, and usage errors. A join that succeeds
 * is covered on the real stack by supervise-call.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN, AGENT, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();

describe('switchboard admin supervise', () => {
  it('answers 404 for a call with no workflow, as exit 1 with the API’s message, and audits nothing', async () => {
    const audits = await api.auditCount();
    const r = await api.cli(['supervise', 'monitor', 'no-such-call'], await api.token(SUPERVISOR));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^404: no such call/);
    expect(await api.auditCount()).toBe(audits);
  });

  it('refuses agents (403), a supervisor naming someone else (403) and a bad mode in the API (400)', async () => {
    const agent = await api.cli(['supervise', 'barge', 'call-1'], await api.token(AGENT));
    expect(agent.code).toBe(1);
    expect(agent.stderr).toMatch(/^403/);
    const other = await api.cli(['supervise', 'barge', 'call-1', '--oid', ADMIN.oid], await api.token(SUPERVISOR));
    expect(other.stderr).toMatch(/^403: supervisors may only join calls themselves/);
    const bad = await api.call('POST', '/api/admin/calls/call-1/supervise', {
      token: await api.token(SUPERVISOR),
      body: { mode: 'whisper' },
    });
    expect(bad.status).toBe(400);
  });

  it('usage errors exit 2 and --help shows the command', async () => {
    const token = await api.token(SUPERVISOR);
    for (const args of [['supervise'], ['supervise', 'whisper', 'call-1'], ['supervise', 'barge']]) {
      const r = await api.cli(args, token);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown or incomplete admin command/);
    }
    const help = await api.cli(['supervise', '--help'], token);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: switchboard admin supervise barge\|monitor <call id>/);
  });
});
