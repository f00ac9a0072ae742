import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AdminCatalog } from './catalog.js';
import type { Caller } from './identity.js';

/** A request's inputs, validated against its route's schemas (routes.ts). */
export type Parsed = { params: Record<string, unknown>; query: Record<string, unknown>; body: unknown };

export interface RecordingsAccess {
  signingKey: Buffer;
  linkTtlSeconds: number;
  /** Public base URL links point at. */
  publicUrl: string;
}

/** What every admin API handler is given: the caller, a fresh EntityManager, the configuration it serves, … */
export interface HandlerContext {
  caller: Caller;
  em: EntityManager;
  /** flows/ as the web role hands it in (app/stack/admin-catalog.ts): src/ never imports flows/. */
  catalog: AdminCatalog;
  recordings?: RecordingsAccess;
  client?: Client;
}

/** What serves one admin API route: the router's own handlers and the operations' (operations.ts) alike. */
export type Handler = (input: Parsed, ctx: HandlerContext) => Promise<unknown>;

/** A handler that reads nothing of the configuration (supervise), so that a test may call it without a catalog. */
export type CatalogFreeHandler = (input: Parsed, ctx: Omit<HandlerContext, 'catalog'>) => Promise<unknown>;
