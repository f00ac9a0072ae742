/**
 * Errors of the app's Graph layer.
 *
 * GraphRequestError is built from Graph's error JSON `{error:{code, message, innerError:{...}}}`:
 *  - 429, 5xx and failures without an HTTP response are retryable, honouring `Retry-After`;
 *  - other 4xx are not;
 *  - 404 "Call not found" (8522) is flagged `callGone`: the call ended or never existed.
 */

export const CALL_NOT_FOUND_CODE = '8522';

export interface GraphRequestErrorInit {
  message: string;
  /** HTTP status; 0 when no response was received. */
  status: number;
  code: string;
  innerCode?: string;
  retryAfterSeconds?: number;
  requestId?: string;
  clientRequestId?: string;
  /** The CallControl operation, e.g. "playPrompt". */
  operation?: string;
  cause?: unknown;
}

export class GraphRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode?: string;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;
  /** The call is gone (404 8522): hanging up is already done, other actions are pointless. */
  readonly callGone: boolean;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly operation?: string;

  constructor(init: GraphRequestErrorInit) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'GraphRequestError';
    this.status = init.status;
    this.code = init.code;
    if (init.innerCode !== undefined) this.innerCode = init.innerCode;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.clientRequestId !== undefined) this.clientRequestId = init.clientRequestId;
    if (init.operation !== undefined) this.operation = init.operation;
    this.retryable = isRetryableStatus(init.status);
    this.callGone =
      (init.status === 404 || init.status === 410) &&
      (init.code === CALL_NOT_FOUND_CODE || init.innerCode === CALL_NOT_FOUND_CODE || /notfound/i.test(init.code));
  }

  /** From a Graph HTTP error response (status, headers and body text). */
  static fromResponse(
    status: number,
    headers: Headers | undefined,
    bodyText: string,
    operation?: string,
  ): GraphRequestError {
    let code = `Http${status}`;
    let message = bodyText ? bodyText.slice(0, 500) : `HTTP ${status}`;
    let innerCode: string | undefined;
    let requestId = headers?.get('request-id') ?? undefined;
    let clientRequestId = headers?.get('client-request-id') ?? undefined;
    try {
      const body = JSON.parse(bodyText) as { error?: Record<string, unknown> };
      const err = body?.error;
      if (err && typeof err === 'object') {
        if (err['code'] !== undefined && err['code'] !== null) code = String(err['code']);
        if (typeof err['message'] === 'string' && err['message']) message = err['message'];
        const inner = (err['innerError'] ?? err['innererror']) as Record<string, unknown> | undefined;
        if (inner && typeof inner === 'object') {
          if (inner['code'] !== undefined && inner['code'] !== null) innerCode = String(inner['code']);
          if (typeof inner['request-id'] === 'string') requestId = inner['request-id'];
          if (typeof inner['client-request-id'] === 'string') clientRequestId = inner['client-request-id'];
        }
      }
    } catch {
      // not JSON: keep the text as the message
    }
    const retryAfterSeconds = parseRetryAfter(headers?.get('retry-after') ?? null);
    return new GraphRequestError({
      message: `${operation ? `${operation}: ` : ''}${message}`,
      status,
      code,
      ...(innerCode !== undefined ? { innerCode } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      ...(requestId ? { requestId } : {}),
      ...(clientRequestId ? { clientRequestId } : {}),
      ...(operation ? { operation } : {}),
    });
  }

  /** A request that got no HTTP response (connection refused, reset, timeout): retryable. */
  static fromNetworkError(err: unknown, operation?: string): GraphRequestError {
    const e = err as { message?: string; cause?: { code?: string; message?: string } };
    const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
    return new GraphRequestError({
      message: `${operation ? `${operation}: ` : ''}no response from Graph (${detail})`,
      status: 0,
      code: 'NetworkError',
      cause: err,
      ...(operation ? { operation } : {}),
    });
  }

  /** Token acquisition failed, so the request was never sent. */
  static fromAuthError(err: GraphAuthError, operation?: string): GraphRequestError {
    return new GraphRequestError({
      message: `${operation ? `${operation}: ` : ''}${err.message}`,
      // 0 (retryable) when the token endpoint could not be reached; 401 otherwise.
      status: err.retryable ? 0 : 401,
      code: err.code,
      cause: err,
      ...(operation ? { operation } : {}),
    });
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** MSAL could not get an app token (wrong secret, unknown app, unreachable authority...). */
export class GraphAuthError extends Error {
  /** OAuth / MSAL error code, e.g. "invalid_client". */
  readonly code: string;
  /** AADSTS numbers from the error description, e.g. [7000215]. */
  readonly aadstsCodes: number[];
  /** True when the authority could not be reached, rather than refusing the credentials. */
  readonly retryable: boolean;

  constructor(message: string, init: { code: string; aadstsCodes?: number[]; retryable: boolean; cause?: unknown }) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'GraphAuthError';
    this.code = init.code;
    this.aadstsCodes = init.aadstsCodes ?? [];
    this.retryable = init.retryable;
  }
}
