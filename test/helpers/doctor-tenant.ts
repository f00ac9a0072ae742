import { afterAll } from 'vitest';
import { startEmulator, type Emulator } from '../../devkit/emulator/index.js';
import { loadConfig } from '../../src/config.js';
import type { DoctorFlows } from '../../src/doctor/checks.js';
import { createGraphClient, type GraphClient } from '../../src/graph/client.js';

/** The app registration doctor signs in as: the config's defaults, which the emulated tenant is started with. */
export const doctorApp = loadConfig({}).graph;

/** What doctor is told of the flows: these counts, and two resource accounts, one the tenant knows and one it does not. */
export function doctorFlows(counts: Omit<DoctorFlows, 'resourceAccounts'>): DoctorFlows {
  return {
    ...counts,
    resourceAccounts: [
      { id: 'ra-main', flow: 'main line' },
      { id: 'ra-gone', flow: 'sales line' },
    ],
  };
}

/**
 * Emulated tenants for a test file, each with the application permissions (roles) it grants, stopped after the file.
 * Its tokens carry those roles, and it refuses with Graph's 403 what they do not allow.
 */
export function emulatedTenantsForFile(): (opts: {
  botCallingUrl: string;
  users: string[];
  appRoles?: string[];
}) => Promise<Emulator> {
  const started: Emulator[] = [];
  afterAll(async () => {
    for (const e of started) await e.stop();
  });
  return async ({ botCallingUrl, users, appRoles }) => {
    const { tenantId, clientId, clientSecret } = doctorApp;
    const emulator = await startEmulator({
      tenantId,
      clientId,
      clientSecret,
      botCallingUrl,
      users,
      ...(appRoles ? { appRoles } : {}),
    });
    started.push(emulator);
    return emulator;
  };
}

/** A Graph client signed in to an emulated tenant as doctor's app, to see what Graph answers on the wire. */
export function graphClientAsDoctor(emulator: Emulator): Promise<GraphClient> {
  const { tenantId, clientId, clientSecret } = doctorApp;
  const { graphBaseUrl, authorityMetadataUrl } = emulator;
  return createGraphClient({ graphBaseUrl, tenantId, clientId, clientSecret, authorityMetadataUrl });
}
