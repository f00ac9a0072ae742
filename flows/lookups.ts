/**
 * Data dips for the call flows (`call.lookup(name, input, { fallback })`). Unlike flows, lookups run as Temporal
 * activities, outside the workflow sandbox: they may read files, query a database or call a CRM over HTTP. Each one
 * is bounded by the flow's timeout, and a lookup that throws or times out gives the flow its fallback.
 */
import { readFile } from 'node:fs/promises';

export interface Customer {
  name: string;
  tier: 'vip' | 'standard';
  /** The Teams user who owns the account, if any. */
  accountManager?: string;
}

async function customers(): Promise<Array<Customer & { phone: string }>> {
  const file = new URL('./customers.json', import.meta.url);
  return (JSON.parse(await readFile(file, 'utf8')) as { customers: Array<Customer & { phone: string }> }).customers;
}

export const lookups = {
  /** The customer a phone number belongs to, or null. Swap the file for your CRM's API here. */
  async customerByPhone(input: unknown): Promise<Customer | null> {
    const phone = (input as { phone?: unknown } | null)?.phone;
    if (typeof phone !== 'string') throw new Error('customerByPhone needs { phone: string }');
    const found = (await customers()).find((c) => c.phone === phone);
    if (!found) return null;
    const { phone: _phone, ...customer } = found;
    return customer;
  },
} satisfies Record<string, (input: unknown) => Promise<unknown>>;

export type LookupName = keyof typeof lookups;
