/**
 * Issue 26, point 8: every reading `switchboard admin` command prints for a person, not only calls, queues,
 * agent-state and audit (test/admin/cli-help.test.ts runs those through the CLI against the API). Found by the
 * point-by-point audit: call, schedules, schedule, wrap-up-codes, voicemail-boxes, voicemails and whoami printed raw
 * JSON.
 * Each body here is parsed by the admin API's own response schema first (src/admin/schemas.ts), so the formats read
 * the shapes the API answers with; `--json` (the API's JSON) is cli-help's and admin-voicemail-boxes' to check.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatForPeople, HUMAN_COMMANDS } from '../../cli/admin-format.js';
import * as s from '../../src/admin/schemas.js';

/** Lines of a table, and each row's cells cut at the columns where the header's headings start. */
function columns(out: string): { header: string; cells: string[][] } {
  const [header, ...rows] = out.trimEnd().split('\n');
  const starts = [...header!.matchAll(/(?:^|\s{2})(\S)/g)].map((m) => m.index + m[0].length - 1);
  const cells = rows.map((r) => starts.map((at, i) => r.slice(at, starts[i + 1]).trim()));
  // A column starts where its heading does: the character before it is blank on every row.
  for (const r of rows) for (const at of starts.slice(1)) expect(r[at - 1], `${r} at ${at}`).toBe(' ');
  return { header: header!, cells };
}

describe('switchboard admin: the reading commands print for people', () => {
  it('schedules: a table with each one’s state now and why', () => {
    const body = s.page(s.scheduleSummary).parse({
      items: [
        {
          name: 'main-office',
          displayName: 'Main office (Pacific)',
          timeZone: 'America/Los_Angeles',
          status: {
            schedule: 'main-office',
            open: false,
            reason: 'holiday',
            name: 'Christmas Day',
            nextChange: '2026-12-26T16:00:00.000Z',
          },
        },
        {
          name: 'support-24x7',
          displayName: 'Support (around the clock)',
          timeZone: 'America/New_York',
          status: { schedule: 'support-24x7', open: true, reason: 'hours' },
        },
      ],
      nextCursor: 'c2',
    });
    const out = formatForPeople('schedules', body);
    const [table, more] = out.split('\n\n');
    const { header, cells } = columns(table!);
    expect(header).toMatch(/^SCHEDULE\s+TIME ZONE\s+NOW\s+NEXT CHANGE\s+NAME$/);
    expect(cells).toEqual([
      [
        'main-office',
        'America/Los_Angeles',
        'closed (holiday: Christmas Day)',
        '2026-12-26 16:00:00Z',
        'Main office (Pacific)',
      ],
      ['support-24x7', 'America/New_York', 'open', '-', 'Support (around the clock)'],
    ]);
    expect(more).toBe('more: --cursor c2\n');
    expect(formatForPeople('schedules', { items: [], nextCursor: null })).toBe('no schedules\n');
  });

  it('schedule: a short record, the weekly hours, then every dated entry by date, admins’ exceptions named', () => {
    const detail = s.scheduleDetail.parse({
      name: 'main-office',
      displayName: 'Main office (Pacific)',
      timeZone: 'America/Los_Angeles',
      status: { schedule: 'main-office', open: true, reason: 'hours', nextChange: '2026-12-08T02:00:00.000Z' },
      weekly: { mon: [['08:00', '18:00']], sat: [['09:00', '13:00']] },
      holidays: [
        { date: '2026-12-25', name: 'Christmas Day' },
        { date: '2026-11-26', name: 'Thanksgiving Day' },
      ],
      publicHolidays: { country: 'US', except: ['Columbus Day'] },
      specialDates: [{ date: '12-24', name: 'Christmas Eve', hours: [['08:00', '12:00']] }],
      exceptions: [
        {
          schedule: 'main-office',
          date: '2026-12-26',
          name: 'Stock take',
          kind: 'specialHours',
          hours: [
            ['10:00', '12:00'],
            ['13:00', '15:00'],
          ],
          createdBy: 'Ada Admin',
          createdAt: '2026-12-01T00:00:00.000Z',
        },
      ],
    });
    const [head, week, dated] = formatForPeople('schedule', detail).split('\n\n');
    expect(head!.split('\n')).toEqual([
      'schedule:        main-office',
      'name:            Main office (Pacific)',
      'time zone:       America/Los_Angeles',
      'now:             open, until 2026-12-08 02:00:00Z',
      'public holidays: US except Columbus Day',
    ]);
    expect(columns(week!).cells).toEqual([
      ['mon', '08:00–18:00'],
      ['tue', 'closed'],
      ['wed', 'closed'],
      ['thu', 'closed'],
      ['fri', 'closed'],
      ['sat', '09:00–13:00'],
      ['sun', 'closed'],
    ]);
    const rows = columns(dated!);
    expect(rows.header).toMatch(/^DATE\s+HOURS\s+NAME\s+FROM$/);
    expect(rows.cells).toEqual([
      ['12-24', '08:00–12:00', 'Christmas Eve', 'definition'],
      ['2026-11-26', 'closed', 'Thanksgiving Day', 'definition'],
      ['2026-12-25', 'closed', 'Christmas Day', 'definition'],
      ['2026-12-26', '10:00–12:00, 13:00–15:00', 'Stock take', 'added by Ada Admin'],
    ]);
  });

  it('wrap-up-codes and voicemail-boxes: tables', () => {
    const codes = z.array(s.wrapUpCode).parse([
      { code: 'resolved', label: 'Resolved', active: true, updatedAt: '2026-12-01T09:00:00.000Z' },
      { code: 'callback', label: 'Callback arranged', active: false, updatedAt: '2026-12-02T10:30:00.000Z' },
    ]);
    const wrap = columns(formatForPeople('wrap-up-codes', codes));
    expect(wrap.header).toMatch(/^CODE\s+ACTIVE\s+UPDATED\s+LABEL$/);
    expect(wrap.cells).toEqual([
      ['resolved', 'yes', '2026-12-01 09:00:00Z', 'Resolved'],
      ['callback', 'no', '2026-12-02 10:30:00Z', 'Callback arranged'],
    ]);
    expect(formatForPeople('wrap-up-codes', [])).toBe('no wrap-up codes\n');

    const boxes = s.page(s.voicemailBoxSummary).parse({
      items: [
        {
          name: 'sales',
          displayName: 'Sales voicemail',
          maxSeconds: 120,
          notify: { teamsUserIds: [], webhook: false },
          messages: 3,
          unhandled: 1,
        },
      ],
      nextCursor: null,
    });
    const box = columns(formatForPeople('voicemail-boxes', boxes));
    expect(box.header).toMatch(/^BOX\s+MESSAGES\s+UNHANDLED\s+MAX LENGTH\s+NAME$/);
    expect(box.cells).toEqual([['sales', '3', '1', '120 s', 'Sales voicemail']]);
  });

  it('voicemails: a table with the caller’s number in international format and the recording link', () => {
    const messages = s.page(s.voicemailMessage).parse({
      items: [
        {
          id: '12',
          callId: 'vm-3',
          fromId: '+442079460958',
          fromName: null,
          recordedAt: '2026-12-03T08:15:00.000Z',
          durationSeconds: 42,
          status: 'new',
          handledAt: null,
          handledBy: null,
          recording: { id: '7', url: 'https://sb.example/r/7?sig=x', expiresAt: '2026-12-03T09:15:00Z', parts: [] },
        },
        {
          id: '11',
          callId: 'vm-2',
          fromId: null,
          fromName: 'Adele Vance',
          recordedAt: '2026-12-02T17:00:00.000Z',
          durationSeconds: 5,
          status: 'handled',
          handledAt: '2026-12-02T18:00:00.000Z',
          handledBy: 'Ada Admin',
          recording: null,
        },
      ],
      nextCursor: null,
    });
    const { header, cells } = columns(formatForPeople('voicemails', messages));
    expect(header).toMatch(/^ID\s+RECORDED\s+FROM\s+LENGTH\s+STATUS\s+RECORDING$/);
    expect(cells).toEqual([
      ['12', '2026-12-03 08:15:00Z', '+44 20 7946 0958', '42 s', 'new', 'https://sb.example/r/7?sig=x'],
      ['11', '2026-12-02 17:00:00Z', 'Adele Vance', '5 s', 'handled', '-'],
    ]);
  });

  it('call and whoami: short records, the call’s timeline after it', () => {
    const detail = s.callDetail.parse({
      id: 'call-3',
      workflowId: 'call-call-3',
      fromKind: 'phone',
      fromId: '+33142685300',
      fromName: null,
      toId: '+14255550100',
      queue: 'support',
      agentId: 'adele',
      outcome: 'connected',
      waitSeconds: 12,
      arrivedAt: '2026-11-28T09:03:00.000Z',
      answeredAt: '2026-11-28T09:03:01.000Z',
      queuedAt: '2026-11-28T09:03:05.000Z',
      offeredAt: '2026-11-28T09:03:15.000Z',
      connectedAt: '2026-11-28T09:03:17.000Z',
      endedAt: '2026-11-28T09:10:00.000Z',
      wrapUp: { callId: 'call-3', agentId: 'adele', code: 'resolved', note: null, at: '2026-11-28T09:11:00.000Z' },
      segments: null,
      timeline: [
        { seq: 1, type: 'arrived', at: '2026-11-28T09:03:00.000Z', payload: {} },
        { seq: 2, type: 'queued', at: '2026-11-28T09:03:05.000Z', payload: { queue: 'support' } },
      ],
    });
    const [head, timeline] = formatForPeople('call', detail).split('\n\n');
    expect(head!.split('\n')).toEqual([
      'call:      call-3',
      'from:      +33 1 42 68 53 00',
      'to:        +1 425 555 0100',
      'queue:     support',
      'agent:     adele',
      'outcome:   connected',
      'wait:      12 s',
      'arrived:   2026-11-28 09:03:00Z',
      'connected: 2026-11-28 09:03:17Z',
      'ended:     2026-11-28 09:10:00Z',
      'wrap-up:   resolved',
      'workflow:  call-call-3',
    ]);
    const rows = columns(timeline!);
    expect(rows.header).toMatch(/^SEQ\s+AT\s+EVENT$/);
    expect(rows.cells).toEqual([
      ['1', '2026-11-28 09:03:00Z', 'arrived'],
      ['2', '2026-11-28 09:03:05Z', 'queued'],
    ]);

    const me = s.caller.parse({
      objectId: 'a1',
      name: 'Ada Admin',
      tenantId: 'tenant-a',
      roles: ['Switchboard.Admin'],
      ip: '127.0.0.1',
    });
    expect(formatForPeople('whoami', me)).toBe(
      'name:   Ada Admin\nid:     a1\ntenant: tenant-a\nroles:  Switchboard.Admin\n',
    );
  });

  it('covers every reading command; commands that change something keep the API’s JSON', () => {
    expect([...HUMAN_COMMANDS].sort()).toEqual(
      [
        'agent-state',
        'audit',
        'call',
        'calls',
        'queues',
        'schedule',
        'schedules',
        'voicemail-boxes',
        'voicemails',
        'whoami',
        'wrap-up-codes',
      ].sort(),
    );
    expect(formatForPeople('holiday', { schedule: 'main-office' })).toBe('{\n  "schedule": "main-office"\n}\n');
  });
});
