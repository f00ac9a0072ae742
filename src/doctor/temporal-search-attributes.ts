import type { Config } from '../config.js';
import { connectClient } from '../temporal/connection.js';
import { describeRegistration, registerCallSearchAttributes } from '../temporal/search-attributes.js';
import type { DoctorLine } from './checks.js';

const CHECK = 'Temporal search attributes';

/**
 * The call's search attributes (issue 26, point 3; src/contracts/search-attributes.ts) on the cluster's namespace:
 * doctor registers those missing (operatorService.addSearchAttributes), since a call whose workflow sets one the
 * namespace does not know fails its workflow task. A cluster that does not let the app (Temporal Cloud) fails the
 * check with the command to run there.
 */
export async function temporalSearchAttributesCheck(config: Config): Promise<DoctorLine> {
  const t = config.temporal;
  if (!t.address)
    return { verdict: 'warn', check: CHECK, detail: 'the embedded dev server registers them at start-up' };
  let client;
  try {
    client = await connectClient(config, t.address);
    const r = await registerCallSearchAttributes(client.connection, t.namespace);
    const ok = r.notPermitted === undefined && r.conflicts.length === 0;
    return { verdict: ok ? 'ok' : 'fail', check: CHECK, detail: describeRegistration(r) };
  } catch (err) {
    return { verdict: 'fail', check: CHECK, detail: `cannot read or register them: ${(err as Error).message}` };
  } finally {
    await client?.connection.close();
  }
}
