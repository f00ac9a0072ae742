/** The admin API, as the signed-in viewer: the same routes, roles and audit as the CLI and scripts use. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`../api/admin${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, message);
  }
  return parsed as T;
}

export interface QueueSummary {
  name: string;
  members: { agentId: string; name: string | null; configured: boolean; member: boolean | null }[];
}

export async function queues(token: string): Promise<QueueSummary[]> {
  const out: QueueSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: QueueSummary[]; nextCursor?: string | null }>(
      token,
      'GET',
      `/queues?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export const setAvailability = (token: string, agentId: string, state: 'available' | 'away') =>
  api(token, 'PUT', `/agents/${encodeURIComponent(agentId)}/availability`, { state });

export const setMembership = (token: string, queue: string, agentId: string, member: boolean) =>
  api(token, member ? 'PUT' : 'DELETE', `/queues/${encodeURIComponent(queue)}/members/${encodeURIComponent(agentId)}`);

export const saveWrapUp = (token: string, callId: string, code: string, note: string) =>
  api<{ code: string; note: string | null; at: string }>(token, 'PUT', `/calls/${encodeURIComponent(callId)}/wrap-up`, {
    code,
    ...(note.trim() ? { note: note.trim() } : {}),
  });

export const extendWrapUp = (token: string, agentId: string, seconds: number) =>
  api<{ wrapUpUntil: string }>(token, 'POST', `/agents/${encodeURIComponent(agentId)}/wrap-up/extend`, { seconds });
