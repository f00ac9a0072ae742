/**
 * Teams presence for app-only services: presence subscriptions are delegated-only, so Switchboard polls
 * POST /communications/getPresencesByUserId, at most 650 ids a request.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphRequestError } from './errors.js';
import { graphErrorsTotal } from '../metrics.js';
import type { GraphClient } from './client.js';
import type { TeamsPresence } from '../contracts/agent.js';

export const MAX_PRESENCE_IDS = 650;

export interface UserPresence extends TeamsPresence {
  id: string;
}

export function presenceBatches(ids: string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_PRESENCE_IDS) batches.push(ids.slice(i, i + MAX_PRESENCE_IDS));
  return batches;
}

export class PresenceReader {
  private readonly client: Client;

  constructor(graph: GraphClient | Client) {
    this.client = 'api' in graph ? graph : graph.client;
  }

  /** Presence of every id, one request per 650. */
  async read(ids: string[]): Promise<UserPresence[]> {
    const out: UserPresence[] = [];
    for (const batch of presenceBatches(ids)) {
      let body: { value?: { id: string; availability?: string; activity?: string }[] };
      try {
        body = (await this.client.api('/communications/getPresencesByUserId').post({ ids: batch })) as typeof body;
      } catch (e) {
        // The Graph client throws a GraphError carrying statusCode and code for an HTTP error answer.
        const http = e as { statusCode?: number; code?: string; message?: string; headers?: Headers };
        const err =
          typeof http.statusCode === 'number' && http.statusCode > 0
            ? GraphRequestError.fromResponse(
                http.statusCode,
                // Its headers carry Retry-After, which a throttled poller must wait (throttling.md).
                http.headers ?? new Headers(),
                JSON.stringify({ error: { code: http.code, message: http.message } }),
                'getPresencesByUserId',
              )
            : GraphRequestError.fromNetworkError(e, 'getPresencesByUserId');
        graphErrorsTotal.inc({ operation: 'getPresencesByUserId', status: String(err.status), code: err.code });
        throw err;
      }
      for (const p of body.value ?? []) {
        out.push({
          id: p.id,
          availability: p.availability ?? 'PresenceUnknown',
          activity: p.activity ?? 'PresenceUnknown',
        });
      }
    }
    return out;
  }
}
