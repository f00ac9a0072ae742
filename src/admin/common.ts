import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEntry } from '../db/entities/admin.js';
import type { Caller } from './identity.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Opaque keyset cursor: the sort key of the last item of the previous page. */
export const encodeCursor = (parts: (string | number)[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
export function decodeCursor(cursor: string | undefined): (string | number)[] | undefined {
  if (!cursor) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === 2) return parts as (string | number)[];
  } catch {
    // fall through
  }
  throw new HttpError(400, 'ValidationError', 'cursor: not a cursor from a previous page');
}

/** A page of a list known in full (definitions in code), sorted by name; the cursor is the last name shown. */
export function pageByName<T extends { name: string }>(all: T[], q: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(q.cursor);
  const sorted = [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rest = after ? sorted.filter((x) => x.name > String(after[0])) : sorted;
  const items = rest.slice(0, q.limit);
  const last = items.at(-1);
  return { items, nextCursor: rest.length > q.limit && last ? encodeCursor([last.name, '']) : null };
}

/** One audit row, written in the caller's transaction: it commits with the change or not at all. */
export function audit(
  em: EntityManager,
  caller: Caller,
  action: string,
  target: string,
  before: unknown,
  after: unknown,
): void {
  em.create(AuditEntry, {
    at: new Date(),
    actorId: caller.objectId,
    actorName: caller.name,
    ip: caller.ip,
    action,
    target,
    before: before ?? null,
    after: after ?? null,
  });
}

export const isAdmin = (caller: Caller) => caller.roles.includes('Switchboard.Admin');
