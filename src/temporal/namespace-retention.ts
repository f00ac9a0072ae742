import Long from 'long';
import type { Client } from '@temporalio/client';
import { isGrpcServiceError } from '@temporalio/client';

/**
 * Temporal forgets on time (issue 22, point 2): a closed workflow's history (the caller's number, their digits, what
 * a lookup found) stays on the server for the namespace's retention period after the call ends, then the server
 * deletes it. Switchboard promises RETENTION_DAYS, counted from the call: the namespace keeps histories one day less,
 * so a call that lasted hours and the server's own deletion lag still fit (Temporal's minimum retention is a day).
 *
 * Start-up and `switchboard migrate` shorten a longer retention (UpdateNamespace; a shorter one, the operator's choice,
 * stays). A cluster that does not let the app administer its namespace (Temporal Cloud, where namespaces are managed
 * through its own API or tcld, or a role without the permission) is left as it is: `switchboard doctor` and the
 * start-up log say what it keeps and what it should.
 */

const DAY_SECONDS = 86_400;
/** gRPC status codes (the SDK's transport, @grpc/grpc-js, is not ours to import): PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED. */
const NOT_PERMITTED = [7, 12, 16];

/** The retention the namespace should have for a promise of `retentionDays`, in days. */
export function namespaceRetentionDays(retentionDays: number): number {
  return Math.max(1, retentionDays - 1);
}

export interface NamespaceRetention {
  namespace: string;
  /** What the namespace keeps closed workflows for now (after any change made here), in seconds. */
  retentionSeconds: number;
  /** What it should keep them for at most, in seconds. */
  targetSeconds: number;
  /** `set`: shortened now; `ok`: already short enough; `not-permitted`: too long, and the server refused the change. */
  status: 'set' | 'ok' | 'not-permitted';
  /** The server's reason when not permitted. */
  reason?: string;
}

export async function currentRetentionSeconds(client: Client, namespace: string): Promise<number> {
  const described = await client.workflowService.describeNamespace({ namespace });
  return Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
}

/** Shortens the namespace's retention to namespaceRetentionDays(retentionDays) if it is longer (see above). */
export async function ensureNamespaceRetention(
  client: Client,
  namespace: string,
  retentionDays: number,
): Promise<NamespaceRetention> {
  const targetSeconds = namespaceRetentionDays(retentionDays) * DAY_SECONDS;
  const current = await currentRetentionSeconds(client, namespace);
  // 0 is "unset" (never in practice: registration requires it); it is not short enough either.
  if (current > 0 && current <= targetSeconds)
    return { namespace, retentionSeconds: current, targetSeconds, status: 'ok' };
  try {
    await client.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(targetSeconds) } },
    });
  } catch (err) {
    if (isGrpcServiceError(err) && NOT_PERMITTED.includes(err.code)) {
      return { namespace, retentionSeconds: current, targetSeconds, status: 'not-permitted', reason: err.details };
    }
    throw err;
  }
  return {
    namespace,
    retentionSeconds: await currentRetentionSeconds(client, namespace),
    targetSeconds,
    status: 'set',
  };
}

/** One line for logs and `doctor`. */
export function describeRetention(r: NamespaceRetention): string {
  const days = (s: number) => `${+(s / DAY_SECONDS).toFixed(2)} days`;
  const what = `Temporal namespace ${r.namespace} keeps closed workflows ${days(r.retentionSeconds)}`;
  if (r.status === 'not-permitted')
    return `${what}, longer than ${days(r.targetSeconds)}; the app may not change it (${r.reason ?? 'refused'}): set it on the cluster`;
  return `${what}${r.status === 'set' ? ' (set now)' : ''}; at most ${days(r.targetSeconds)} for RETENTION_DAYS`;
}

/**
 * For `switchboard doctor` (src/doctor/): the namespace's retention against RETENTION_DAYS, as one of its lines.
 * Reads only; start-up and `switchboard migrate` are what change it.
 */
export async function retentionCheck(
  client: Client,
  namespace: string,
  retentionDays: number,
): Promise<{ verdict: 'ok' | 'fail'; check: string; detail: string }> {
  const retentionSeconds = await currentRetentionSeconds(client, namespace);
  const targetSeconds = namespaceRetentionDays(retentionDays) * DAY_SECONDS;
  const ok = retentionSeconds > 0 && retentionSeconds <= targetSeconds;
  const detail = describeRetention({ namespace, retentionSeconds, targetSeconds, status: 'ok' });
  return ok
    ? { verdict: 'ok', check: 'Temporal retention', detail }
    : {
        verdict: 'fail',
        check: 'Temporal retention',
        detail: `${detail}: too long; run switchboard migrate, or set it on the cluster (temporal operator namespace update --retention)`,
      };
}
