import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { startEmulator, type Emulator } from './server.js';
import { ALL_QUIRKS } from './types.js';

/**
 * The Graph emulator standing in for Microsoft, with the quirks config asks for: what `switchboard up` and the tests
 * pass to startStack as its graphStandIn.
 */
export async function emulatorStandIn(config: Config, logger: Logger): Promise<Emulator> {
  // Its token endpoint signs for anyone who asks: never in production, whoever loads it (issue 22, point 5).
  if (process.env.NODE_ENV === 'production')
    throw new Error(
      'the Graph emulator does not start with NODE_ENV=production: set GRAPH_BASE_URL (docs/azure-setup.md)',
    );
  return startEmulator({
    port: config.emulator.port,
    tenantId: config.graph.tenantId,
    clientId: config.graph.clientId,
    clientSecret: config.graph.clientSecret,
    botCallingUrl: `${config.publicUrl}/api/calling`,
    mediaSpeed: config.emulator.mediaSpeed,
    ...(config.emulator.quirks.length
      ? {
          quirks: config.emulator.quirks.includes('all')
            ? ALL_QUIRKS
            : Object.fromEntries(config.emulator.quirks.map((q) => [q, q === 'duplicates' ? 2 : true])),
        }
      : {}),
    logger: logger.child({ component: 'emulator' }),
  });
}
