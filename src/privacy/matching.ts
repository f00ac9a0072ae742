import type { Knex } from '@mikro-orm/postgresql';
import { nationalDigits, toE164, type DataSubject } from './phone.js';

/**
 * Where a person's number or Teams id is stored, found exactly: stored numbers are in whatever format Graph or the
 * caller's keypad gave them, so a row is a match only when its value normalises (E.164) to the person's number.
 * SQL narrows the rows to those ending in the number's national digits; the comparison itself is libphonenumber's.
 */
export class SubjectMatcher {
  constructor(
    readonly subject: DataSubject,
    private readonly region?: string,
  ) {}

  /** A stored value is this person. */
  is(stored: string | null | undefined): boolean {
    if (!stored) return false;
    if (this.subject.kind === 'user') return stored.trim().toLowerCase() === this.subject.id;
    return toE164(stored, this.region) === this.subject.e164;
  }

  /** A SQL prefilter on a column: every match passes it (and some non-matches, which `is` then drops). */
  narrow(q: Knex.QueryBuilder, column: string): Knex.QueryBuilder {
    if (this.subject.kind === 'user') return q.whereRaw('lower(??) = ?', [column, this.subject.id]);
    return q.whereRaw(`regexp_replace(??, '\\D', '', 'g') like ?`, [column, `%${nationalDigits(this.subject.e164)}`]);
  }

  /** Rows of `table` whose `column` is this person. */
  async rows<T extends Record<string, unknown>>(knex: Knex, table: string, column: string): Promise<T[]> {
    const candidates = (await this.narrow(knex(table).select('*'), column)) as T[];
    return candidates.filter((r) => this.is(r[column] as string | null));
  }

  /** Whether a text (a JSON string inside a timeline entry) holds this person's number, however it was written. */
  mentionedIn(text: string): boolean {
    if (this.subject.kind === 'user') return text.toLowerCase().includes(this.subject.id);
    const digits = text.replace(/\D/g, '');
    return digits.includes(nationalDigits(this.subject.e164));
  }
}

const ERASED = '[erased]';

/** A copy of a timeline entry's payload with every string that holds the person's number replaced; undefined: none. */
export function redacted(payload: unknown, matcher: SubjectMatcher): unknown {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' || typeof v === 'number') {
      if (matcher.mentionedIn(String(v))) {
        changed = true;
        return ERASED;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(payload);
  return changed ? out : undefined;
}
