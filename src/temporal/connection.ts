import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
  type GrpcRetryOptions,
} from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalSettings } from './settings.js';
import { dataConverterFor } from './data-converter.js';
import { tracingClientInterceptors } from '../telemetry/temporal.js';

/**
 * TLS, API key and gRPC metadata from Temporal's standard client profile (envconfig's own translation, which reads
 * the certificate files or inline PEM data); nothing for the local dev server.
 */
export function securityOptions(t: TemporalSettings): Pick<ConnectionOptions, 'tls' | 'apiKey' | 'metadata'> {
  const { tls, apiKey, metadata } = toClientOptions(t.profile).connectionOptions;
  return {
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/** gRPC's status code for RESOURCE_EXHAUSTED. */
const RESOURCE_EXHAUSTED = 8;

/**
 * The SDK's retries, but a request turned away because its workflow "is closing" is retried soon (60 ms, growing by
 * 1.7 each time). The server says that while it retries a workflow's continue-as-new that a signal overtook: it
 * clears within a workflow task or a replay, unlike the rate limits RESOURCE_EXHAUSTED otherwise means, for which the
 * SDK waits 1.7 s, then 2.9 s. A queue's agent statuses and callers would wait that long for it (issue 9's offer tail).
 */
export const clientRetry: GrpcRetryOptions = defaultGrpcRetryOptions({
  initialIntervalMs: ({ code, details }) =>
    code === RESOURCE_EXHAUSTED ? (/workflow is closing/i.test(details) ? 60 : 1000) : 100,
});

/** A client of the configured namespace whose payloads go through the payload codec (data-converter.ts). */
export async function connectClient(
  config: { temporal: TemporalSettings; dataDir: string },
  address: string,
): Promise<Client> {
  const t = config.temporal;
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(clientRetry)],
    ...securityOptions(t),
  });
  return new Client({
    connection,
    namespace: t.namespace,
    dataConverter: await dataConverterFor(config),
    interceptors: tracingClientInterceptors(),
  });
}

export async function connectWorker(t: TemporalSettings, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, ...(securityOptions(t) as NativeConnectionOptions) });
}
