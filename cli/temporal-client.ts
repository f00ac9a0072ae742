import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import { connectClient } from '../src/temporal/connection.js';

/** Temporal could not be reached: the message names where the CLI looked, so a wrong profile or address shows. */
export class TemporalUnreachableError extends Error {}

/**
 * A Temporal client for a CLI command, at the configured address (TEMPORAL_ADDRESS or the profile's) or the embedded
 * dev server's. The SDK's own error ("Failed to connect before the deadline") says neither the address nor the
 * namespace, and with a profile of Temporal's config file in play the user cannot tell which one was used.
 */
export async function cliTemporalClient(config: Config): Promise<Client> {
  const address = config.temporal.address || `127.0.0.1:${config.temporal.devPort}`;
  try {
    return await connectClient(config, address);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new TemporalUnreachableError(
      `Temporal at ${address} (namespace ${config.temporal.namespace}) is out of reach: ${why}. Check ` +
        `TEMPORAL_ADDRESS, or the profile (TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE), or start Temporal`,
    );
  }
}
