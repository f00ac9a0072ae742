import type { LogMetadata } from '@temporalio/worker';

/**
 * The Temporal SDK's own log lines ("Activity failed", "Workflow failed", "Failed to process Workflow Activation", the
 * native core's "Failing workflow task") carry the error that caused them, message and stack included. An error's
 * message may quote what the code was given: a Graph error about a caller's number, a CRM lookup that found no
 * contact for a name (issue 22). The history keeps such messages encrypted (failure-converter.ts); the log must not
 * undo that. So an error in an SDK line keeps what says which failure it was (its class, its failure type, the HTTP
 * status, the causes' likewise) and loses what it said: the message is in the history, decoded by the Temporal UI
 * through the codec endpoint or by `switchboard agents restart`.
 */

/** Fields the SDK and its core put an error or failure in. */
const ERROR_FIELDS = new Set(['error', 'err', 'failure', 'cause', 'source', 'e']);

/** A phone number in any written form: 7 or more digits with separators between them. */
const PHONE_NUMBER = /\+?\d(?:[\s().-]{0,2}\d){6,}/g;

/** The native core prints a failure with Rust's Debug format: `message: "…"`, `stack_trace: "…"`. */
const DEBUG_TEXT_FIELDS = /\b(message|stack_trace|details|data): "(?:[^"\\]|\\.)*"/g;

export const REDACTED = '[redacted]';

function scrubNumbers(text: string): string {
  return text.replace(PHONE_NUMBER, REDACTED);
}

/** What of an error may be logged: which failure it was, not what it said. */
export function redactedError(error: unknown, depth = 0): unknown {
  if (typeof error === 'string') return scrubNumbers(error.replace(DEBUG_TEXT_FIELDS, `$1: "${REDACTED}"`));
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return error;
  const e = error as Partial<Record<'name' | 'type' | 'nonRetryable' | 'status' | 'cause', unknown>>;
  const safe: Record<string, unknown> = { message: REDACTED };
  if (typeof e.name === 'string') safe['name'] = e.name;
  // ApplicationFailure's type ('NoContact', 'GraphError', …) is a class of failure the code chose, not data.
  if (typeof e.type === 'string') safe['type'] = scrubNumbers(e.type);
  if (typeof e.nonRetryable === 'boolean') safe['nonRetryable'] = e.nonRetryable;
  if (typeof e.status === 'number') safe['status'] = e.status;
  // An ActivityFailure's cause is the activity's own error: say which, as far as a chain goes.
  if (e.cause !== undefined && depth < 5) safe['cause'] = redactedError(e.cause, depth + 1);
  return safe;
}

/**
 * "Creating worker" (debug) lists the worker's options, data converter included: the payload codec's keys
 * (TEMPORAL_CODEC_KEYS) with it, byte by byte. The converter is ours to know; the line keeps everything else.
 */
function withoutCodecs(options: Record<string, unknown>): Record<string, unknown> {
  const safe = { ...options };
  for (const field of ['dataConverter', 'loadedDataConverter']) if (field in safe) safe[field] = REDACTED;
  return safe;
}

/** An SDK log line as it may be written: errors reduced to their kind, and no number left in the text. */
export function redactSdkLogEntry(
  message: string,
  meta: LogMetadata | undefined,
): { message: string; meta: LogMetadata } {
  let text = message;
  const safe: LogMetadata = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (key === 'options' && typeof value === 'object' && value !== null) {
      safe[key] = withoutCodecs(value as Record<string, unknown>);
      continue;
    }
    if (!ERROR_FIELDS.has(key)) {
      safe[key] = value;
      continue;
    }
    // "Error while processing ActivityTask.start: <the error's message>": the message quotes it too.
    const quoted = value instanceof Error ? value.message : undefined;
    if (quoted) text = text.split(quoted).join(REDACTED);
    safe[key] = redactedError(value);
  }
  return { message: scrubNumbers(text), meta: safe };
}
