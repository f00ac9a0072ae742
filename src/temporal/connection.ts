import { readFile } from 'node:fs/promises';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config.js';

/** TLS and API-key settings for Temporal Cloud or a secured cluster; nothing for the local dev server. */
async function securityOptions(t: Config['temporal']): Promise<Pick<ConnectionOptions, 'tls' | 'apiKey'>> {
  if (!t.tls) return {};
  const [crt, key, ca] = await Promise.all([
    t.tlsCertPath ? readFile(t.tlsCertPath) : undefined,
    t.tlsKeyPath ? readFile(t.tlsKeyPath) : undefined,
    t.tlsCaPath ? readFile(t.tlsCaPath) : undefined,
  ]);
  return {
    tls: {
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
    },
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
  };
}

export async function connectClient(t: Config['temporal'], address: string): Promise<Client> {
  const connection = await Connection.connect({ address, ...(await securityOptions(t)) });
  return new Client({ connection, namespace: t.namespace });
}

export async function connectWorker(t: Config['temporal'], address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, ...((await securityOptions(t)) as NativeConnectionOptions) });
}
