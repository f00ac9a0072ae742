import type { Config } from '../src/config.js';
import { connectClient } from '../src/temporal/connection.js';
import { describeRetention, ensureNamespaceRetention } from '../src/temporal/namespace-retention.js';
import { describeRegistration, registerCallSearchAttributes } from '../src/temporal/search-attributes.js';

/**
 * `switchboard migrate`'s Temporal step (issue 22, point 2): the namespace of TEMPORAL_ADDRESS keeps closed workflows
 * less than RETENTION_DAYS (src/temporal/namespace-retention.ts). A cluster that does not let the app change it, or is
 * not up yet, is reported, not fatal: the database is migrated, start-up tries again, and doctor reports it.
 */
export async function migrateTemporal(
  config: Config,
  out: { stdout: (t: string) => void; stderr: (t: string) => void },
): Promise<void> {
  const address = config.temporal.address;
  if (!address) {
    out.stdout('Temporal: the embedded dev server gets its retention when Switchboard starts\n');
    return;
  }
  let client;
  try {
    client = await connectClient(config, address);
  } catch (err) {
    out.stderr(
      `Temporal at ${address} is unreachable (${(err as Error).message}): its retention is set when Switchboard starts\n`,
    );
    return;
  }
  try {
    const r = await ensureNamespaceRetention(client, config.temporal.namespace, config.recordings.retentionDays);
    (r.status === 'not-permitted' ? out.stderr : out.stdout)(`${describeRetention(r)}\n`);
    // The call's search attributes (issue 26, point 3): a call setting one the namespace lacks fails its task.
    const sa = await registerCallSearchAttributes(client.connection, config.temporal.namespace);
    (sa.notPermitted !== undefined || sa.conflicts.length ? out.stderr : out.stdout)(`${describeRegistration(sa)}\n`);
  } finally {
    await client.connection.close();
  }
}
