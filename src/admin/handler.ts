import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from './identity.js';

/** A request's inputs, validated against its route's schemas (routes.ts). */
export type Parsed = { params: Record<string, unknown>; query: Record<string, unknown>; body: unknown };

export interface RecordingsAccess {
  signingKey: Buffer;
  linkTtlSeconds: number;
  /** Public base URL links point at. */
  publicUrl: string;
}

/** What serves one admin API route: the router's own handlers and the operations' (operations.ts) alike. */
export type Handler = (
  input: Parsed,
  ctx: { caller: Caller; em: EntityManager; recordings?: RecordingsAccess; client?: Client },
) => Promise<unknown>;
