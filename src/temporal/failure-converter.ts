import { DefaultFailureConverter } from '@temporalio/common';

/**
 * How Switchboard's failures go into Temporal (issue 22, point 1). A failure's message and stack trace are plain
 * fields of the history by default, and an activity's error message may quote what it was given (a number a CRM
 * lookup refused, a prompt's text). With encodeCommonAttributes they move into the failure's `encodedAttributes`
 * payload, which the payload codec encrypts like any other payload; the history shows "Encoded failure" in their place.
 * Decoding needs nothing from here: the SDK's default converter restores encoded attributes wherever it finds them, so
 * histories written before this (plain messages) and after it read alike.
 *
 * Loaded by path (data-converter.ts's failureConverterPath) in clients, workers and the workflow bundle alike, so it
 * may import nothing but the SDK: it runs in the deterministic workflow sandbox too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
