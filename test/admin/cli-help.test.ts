/**
 * A CLI people read (issue 26, point 8): every `switchboard` command and subcommand answers --help and -h with its
 * usage on stdout and exit 0, as a child process with nothing configured; usage errors stay exit 2 on stderr; and
 * `switchboard admin calls|agent-state|audit` print aligned tables (or a short record) for a person, JSON with --json.
 */
import { describe, expect, it } from 'vitest';
import { queues as configuredQueues } from '../../flows/index.js';
import { ADMIN, AGENT, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from '../helpers/cli-commands.js';

// Nothing configured: help must not need DATABASE_URL, Temporal or a tenant, and must not start anything.
const BARE = { DATABASE_URL: '', TEMPORAL_ADDRESS: '', SWITCHBOARD_ADMIN_TOKEN: '', GRAPH_BASE_URL: '' };

/** Runs the command lines a few at a time: each is a Node process of its own. */
async function runAll(lines: string[][], env: Record<string, string> = BARE) {
  const results: { args: string[]; code: number | null; stdout: string; stderr: string }[] = [];
  for (let i = 0; i < lines.length; i += 4) {
    const batch = lines.slice(i, i + 4);
    results.push(...(await Promise.all(batch.map(async (args) => ({ args, ...(await runCli(args, env)) })))));
  }
  return results;
}

describe('switchboard <command> --help', () => {
  it('prints every command and subcommand usage on stdout with exit 0, for --help and -h', async () => {
    const lines = COMMANDS.flatMap((c, i) => [[...c, i % 2 ? '-h' : '--help']]).concat([['--help'], ['-h']]);
    const results = await runAll(lines);
    const failures = results.filter((r) => r.code !== 0 || !/^usage: switchboard/m.test(r.stdout) || r.stderr !== '');
    expect(failures.map((r) => ({ args: r.args.join(' '), code: r.code, stderr: r.stderr }))).toEqual([]);
    // A subcommand's help names the command it is about.
    for (const r of results.filter((x) => x.args.length > 1)) expect(r.stdout).toContain(`switchboard ${r.args[0]}`);
    expect(results.find((r) => r.args[0] === 'admin' && r.args[1] === 'calls')?.stdout).toMatch(
      /^usage: switchboard admin calls \[--caller X\]/,
    );
    // About 60 Node processes, four at a time: past the suite's 120 s default on a machine as loaded as CI's busiest minutes.
  }, 300_000);

  it('answers help before it loads configuration or reaches any service', async () => {
    const [privacy, doctor] = await runAll([
      ['privacy', '-h'],
      ['doctor', '--help'],
    ]);
    expect([privacy!.code, privacy!.stdout]).toEqual([0, expect.stringMatching(/^usage: switchboard privacy erase/)]);
    expect([doctor!.code, doctor!.stdout]).toEqual([0, expect.stringMatching(/^usage: switchboard doctor/)]);
  });

  it('keeps usage errors on stderr with exit 2', async () => {
    const results = await runAll([
      ['privacy', '--bogus'],
      ['privacy', 'shred', '--caller', '+14255550100'],
      ['teams', 'publish'],
      ['admin', 'frobnicate'],
      ['admin', 'calls', '--bogus'],
      ['agents', 'opt-in'],
      ['nonsense', '--help'],
    ]);
    for (const r of results) {
      expect({ args: r.args.join(' '), code: r.code, stdout: r.stdout }).toEqual({
        args: r.args.join(' '),
        code: 2,
        stdout: '',
      });
      expect(r.stderr).toMatch(/usage: switchboard|unknown command/);
    }
    // seed checks its options before it touches the database (here one that does not exist).
    const [seed] = await runAll([['seed', '--calls', 'many']], {
      ...BARE,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect([seed!.code, seed!.stdout]).toEqual([2, '']);
    expect(seed!.stderr).toMatch(/^--calls needs a positive whole number\nusage: switchboard seed/);
  });
});

describe('switchboard admin output', () => {
  const api = adminApiForFile();

  it('prints calls as an aligned table, with the next page’s cursor', async () => {
    const r = await api.cli(['calls', '--limit', '3'], await api.token(SUPERVISOR));
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [header, ...rest] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+ARRIVED\s+FROM\s+QUEUE\s+AGENT\s+OUTCOME\s+WAIT$/);
    const rows = rest.slice(0, 3);
    expect(rows.map((l) => l.split(/\s{2,}/)[0])).toEqual(['call-3', 'call-2', 'call-1']);
    // Every column starts where its heading does.
    for (const heading of ['ARRIVED', 'FROM', 'QUEUE', 'OUTCOME']) {
      const at = header!.indexOf(heading);
      for (const row of rows) expect(row[at - 1]).toBe(' ');
      for (const row of rows) expect(row[at]).not.toBe(' ');
    }
    expect(rows[0]).toMatch(/call-3 +2026-11-28 09:03:00Z +100%_match +support +- +connected +-$/);
    expect(rest.at(-1)).toMatch(/^more: --cursor \S+$/);
  });

  it('prints the API’s JSON with --json, for scripts', async () => {
    const r = await api.cli(['calls', '--limit', '3', '--json'], await api.token(SUPERVISOR));
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { items: { id: string }[]; nextCursor: string | null };
    expect(body.items.map((c) => c.id)).toEqual(['call-3', 'call-2', 'call-1']);
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it('prints an agent’s state as a short record, and says so when a list is empty', async () => {
    const state = await api.cli(['agent-state', AGENT.oid], await api.token(SUPERVISOR));
    expect(state.code).toBe(0);
    expect(state.stdout).toMatch(
      new RegExp(`^agent: +${AGENT.oid}\\nstate: +available\\nsince: +\\S+ \\S+Z\\ncall: +-\\n$`),
    );
    const none = await api.cli(['calls', '--queue', 'nowhere'], await api.token(SUPERVISOR));
    expect([none.code, none.stdout]).toEqual([0, 'no calls\n']);
  });

  it('prints queues as a table of their members', async () => {
    const r = await api.cli(['queues'], await api.token(SUPERVISOR));
    expect([r.code, r.stderr]).toEqual([0, '']);
    const [table, note] = r.stdout.split('\n\n');
    // No agent workflow runs in this file: every member is shown as configured, marked as not confirmed.
    expect(note).toBe("(?) the agent's workflow did not answer: listed as configured in flows/\n");
    const [header, ...rows] = table!.split('\n');
    expect(header).toMatch(/^QUEUE\s+METHOD\s+MAX CALLS\s+MAX WAIT\s+MEMBERS\s+OPTED OUT$/);
    expect(rows.map((l) => l.split(' ')[0]).sort()).toEqual(Object.keys(configuredQueues).sort());
    const sales = configuredQueues['sales']!;
    const salesRow = rows.find((l) => l.startsWith('sales '))!;
    expect(
      salesRow
        .slice(header!.indexOf('METHOD'))
        .split(/\s{2,}/)
        .slice(0, 3),
    ).toEqual([sales.method, String(sales.maxCalls), `${sales.maxWaitSeconds} s`]);
  });

  it('prints the audit log as a table', async () => {
    const admin = await api.token(ADMIN);
    expect((await api.cli(['wrap-up-code', 'set', 'resolved', 'Resolved'], admin)).code).toBe(0);
    const r = await api.cli(['audit', '--limit', '1'], admin);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header).toMatch(/^ID\s+AT\s+BY\s+ACTION\s+TARGET$/);
    expect(row).toContain('Ada Admin');
    expect(row!.slice(header!.indexOf('TARGET'))).toMatch(/resolved/);
  });
});
