import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Wrap-up codes for the embedded demo (issue 23, point 1): without them the agent tab's wrap-up section has nothing
 * to pick. The usual after-call outcomes of a support line, as Teams contact centers ship them as examples.
 */
export const DEMO_WRAP_UP_CODES: readonly { code: string; label: string }[] = [
  { code: 'resolved', label: 'Resolved' },
  { code: 'escalated', label: 'Escalated to second line' },
  { code: 'callback', label: 'Callback promised' },
  { code: 'wrong-number', label: 'Wrong number' },
];

/**
 * Writes the demo's codes when the database has none at all. A database that already has codes (an admin made or
 * removed some, or an earlier demo run) is left as it is, so the demo never overwrites anyone's list.
 * Returns the codes written.
 */
export async function seedDemoWrapUpCodes(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.getConnection().execute<{ code: string }[]>(
    `insert into wrap_up_code (code, label, active, updated_at)
       select t.code, t.label, true, now()
       from jsonb_to_recordset(?::jsonb) as t(code varchar, label varchar)
       where not exists (select 1 from wrap_up_code)
     on conflict (code) do nothing
     returning code`,
    [JSON.stringify(DEMO_WRAP_UP_CODES)],
  );
  return rows.map((r) => r.code);
}
