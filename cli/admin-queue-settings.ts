/**
 * `switchboard admin queue settings <queue> [key=value …]`: no pairs reads a queue's analytics settings, pairs
 * change them (PUT /api/admin/queues/{queue}/settings, issue 27). Values are checked by the API, which says which
 * one is wrong; here only the keys, and that the seconds are numbers, so a typo never sends a half-meant change.
 */
const KEYS = [
  'serviceLevelSeconds',
  'shortAbandonSeconds',
  'serviceLevelTarget',
  'serviceLevelFormula',
  'timeZone',
] as const;
type Key = (typeof KEYS)[number];

export type QueueSettingsRequest =
  { request: { method: string; path: string; body?: Record<string, unknown> } } | { error: string };

export function queueSettingsRequest(queue: string, pairs: string[]): QueueSettingsRequest {
  const path = `/queues/${encodeURIComponent(queue)}/settings`;
  if (pairs.length === 0) return { request: { method: 'GET', path } };
  const body: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, Math.max(eq, 0)) as Key;
    const value = pair.slice(eq + 1);
    if (eq <= 0 || !KEYS.includes(key))
      return { error: `queue settings: '${pair}' is not key=value with a key among ${KEYS.join(', ')}` };
    if (key === 'serviceLevelSeconds' || key === 'shortAbandonSeconds') {
      if (!/^\d+$/.test(value))
        return { error: `queue settings: ${key} must be a whole number of seconds, got '${value}'` };
      body[key] = Number(value);
    } else if (key === 'serviceLevelTarget') {
      if (!/^\d+$/.test(value))
        return { error: `queue settings: serviceLevelTarget must be a whole percentage, got '${value}'` };
      body[key] = Number(value);
    } else if (key === 'timeZone') {
      // 'site' (or nothing) gives the queue back the site's zone.
      body[key] = value === '' || value === 'site' ? null : value;
    } else body[key] = value;
  }
  return { request: { method: 'PUT', path, body } };
}
