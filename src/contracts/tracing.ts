/**
 * OpenTelemetry span attributes Switchboard sets (src/telemetry/, workflows/tracing-interceptors.ts). Ids only: no
 * phone number, name or digit ever goes into a span.
 */

/** The Graph call id of the call a span works for: on the webhook, workflow, activity and Graph request spans. */
export const CALL_ID_ATTRIBUTE = 'switchboard.call_id';
