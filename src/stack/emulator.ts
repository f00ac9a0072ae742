import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { ALL_QUIRKS } from '../emulator/types.js';
import type { Stops } from './stops.js';

/** The Graph emulator, standing in for Microsoft when no real Graph is configured, with the quirks config asks for. */
export async function startGraphEmulator(config: Config, logger: Logger, stops: Stops): Promise<Emulator> {
  const emulator = await startEmulator({
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
  stops.push(() => emulator.stop());
  return emulator;
}
