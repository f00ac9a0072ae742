/** Real Graph notifications are not always what the schema says; these rewrites let tests prove the app copes. */
import type { Quirks } from '../types.js';

export const pascal = (v: unknown) => (typeof v === 'string' && v ? v[0]!.toUpperCase() + v.slice(1) : v);

/** Rewrites a notification's resourceData the way the configured quirks say real Graph sometimes does. */
export function applyQuirks(data: Record<string, unknown>, q: Quirks): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  const ri = out['resultInfo'];
  if (ri && typeof ri === 'object') {
    const r = { ...(ri as Record<string, unknown>) };
    if (q.stringCodes) {
      if (r['code'] !== undefined) r['code'] = String(r['code']);
      for (const k of ['subcode', 'subCode']) if (r[k] !== undefined) r[k] = String(r[k]);
    }
    if (q.subCodeSpelling && r['subcode'] !== undefined) {
      r['subCode'] = r['subcode'];
      delete r['subcode'];
    }
    out['resultInfo'] = r;
  }
  if (q.pascalCaseEnums)
    for (const k of ['state', 'status', 'completionReason', 'direction'])
      if (out[k] !== undefined) out[k] = pascal(out[k]);
  return out;
}
