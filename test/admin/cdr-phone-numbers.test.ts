/**
 * Issue 26, point 1, the CDR and what reads it: a phone caller's number is stored as E.164 whatever form Graph gave it
 * in, the admin API's caller search takes a whole number in any format (libphonenumber) as well as a prefix, and
 * `switchboard admin calls` shows numbers in international format. Real Postgres, the app's Express app, the CLI.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecordActivities } from '../../activities/records.js';
import { Call } from '../../src/db/entities/call.js';
import { SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, cli } = api;

// As Graph may send them: without the '+', with spaces, a German number, an anonymous caller, a Teams user.
const CALLERS = [
  { id: 'pn-us', kind: 'phone', from: '14255550100', stored: '+14255550100' },
  { id: 'pn-uk', kind: 'phone', from: '+44 20 7946 0958', stored: '+442079460958' },
  { id: 'pn-fr', kind: 'phone', from: '33142685300', stored: '+33142685300' },
  { id: 'pn-de', kind: 'phone', from: '+493012345678', stored: '+493012345678' },
  { id: 'pn-anon', kind: 'phone', from: 'anonymous', stored: 'anonymous' },
  {
    id: 'pn-user',
    kind: 'user',
    from: '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d',
    stored: '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d',
  },
];

beforeAll(async () => {
  const { recordCall } = createRecordActivities(api.orm);
  for (const [i, c] of CALLERS.entries())
    await recordCall({
      record: {
        callId: c.id,
        workflowId: `call-${c.id}`,
        fromKind: c.kind,
        fromId: c.from,
        queue: 'support',
        outcome: 'connected',
        arrivedAt: `2026-12-01T10:0${i}:00.000Z`,
      },
      events: [],
    });
});

describe('the CDR keeps one form of each number', () => {
  it('stores a phone caller as E.164; anything that is not a number as it came', async () => {
    const rows = await api.orm.em.fork().find(Call, { id: { $in: CALLERS.map((c) => c.id) } });
    const stored = Object.fromEntries(rows.map((r) => [r.id, r.fromId]));
    expect(stored).toEqual(Object.fromEntries(CALLERS.map((c) => [c.id, c.stored])));
  });
});

describe('searching calls by caller', () => {
  const search = async (caller: string) =>
    (
      await call('GET', `/api/admin/calls?caller=${encodeURIComponent(caller)}&since=2026-12-01T00:00:00Z`, {
        token: await token(SUPERVISOR),
      })
    ).json.items.map((c: { id: string }) => c.id);

  it.each([
    ['00 44 20 7946 0958', 'pn-uk'],
    ['+44 (0)20 7946 0958', 'pn-uk'],
    ['011 33 1 42 68 53 00', 'pn-fr'],
    ['+1 (425) 555-0100', 'pn-us'],
    ['0049 30 12345678', 'pn-de'],
  ])('finds %s, a whole number in another format', async (caller, id) => {
    expect(await search(caller)).toEqual([id]);
  });

  it('still finds by the start of the stored number (+49: every German caller)', async () => {
    expect(await search('+49')).toEqual(['pn-de']);
  });
});

describe('switchboard admin calls', () => {
  it('shows numbers in international format, and the stored E.164 with --json', async () => {
    const t = await token(SUPERVISOR);
    const r = await cli(['calls', '--since', '2026-12-01T00:00:00Z'], t);
    expect(r.code).toBe(0);
    for (const shown of ['+1 425 555 0100', '+44 20 7946 0958', '+33 1 42 68 53 00', '+49 30 12345678', 'anonymous'])
      expect(r.stdout).toContain(shown);
    const json = await cli(['calls', '--caller', '+44 20 7946 0958', '--json'], t);
    expect(JSON.parse(json.stdout).items.map((c: { fromId: string }) => c.fromId)).toEqual(['+442079460958']);
  });
});
