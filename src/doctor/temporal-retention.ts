import type { Config } from '../config.js';
import { connectClient } from '../temporal/connection.js';
import { retentionCheck } from '../temporal/namespace-retention.js';
import type { DoctorLine } from './checks.js';

/**
 * Temporal forgets on time (issue 22, point 2): the namespace keeps closed workflows less than RETENTION_DAYS. Start-up
 * and `switchboard migrate` set it where the app may; doctor reports it, so a cluster that does not let the app
 * (Temporal Cloud) is seen before the first call.
 */
export async function temporalRetentionCheck(config: Config): Promise<DoctorLine> {
  const t = config.temporal;
  if (!t.address)
    return { verdict: 'warn', check: 'Temporal retention', detail: 'the embedded dev server gets it at start-up' };
  let client;
  try {
    client = await connectClient(config, t.address);
    return await retentionCheck(client, t.namespace, config.recordings.retentionDays);
  } catch (err) {
    return { verdict: 'fail', check: 'Temporal retention', detail: `cannot read it: ${(err as Error).message}` };
  } finally {
    await client?.connection.close();
  }
}
