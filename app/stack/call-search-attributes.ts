import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import type { IncomingCall } from '../../src/contracts/graph-call.js';
import { PrivacyKeyError, privacyHmacKey } from '../../src/privacy/subject-ref.js';
import { callStartSearchAttributes } from '../../src/temporal/search-attributes.js';
import { flowFor } from '../../flows/flows.js';

/**
 * What the web process gives each call's workflow to start with (issue 26, point 3): its line, the flow that number
 * runs (flows/flows.ts, as the workflow will choose it) and the caller's keyed hash, made with the privacy requests'
 * key (PRIVACY_HMAC_KEY) so that `CallerHash` is the reference `privacy export|erase` name the person by.
 * Without the key in production, calls start without CallerHash, and the log says why once.
 */
export function webhookSearchAttributes(
  config: Config,
  logger: Logger,
): (call: IncomingCall) => ReturnType<typeof callStartSearchAttributes> {
  let callerHashKey: Buffer | undefined;
  try {
    callerHashKey = privacyHmacKey(config.privacy.hmacKey, config.dataDir);
  } catch (err) {
    if (!(err instanceof PrivacyKeyError)) throw err;
    logger.warn('PRIVACY_HMAC_KEY is not set: calls start without the CallerHash search attribute');
  }
  return (call) =>
    callStartSearchAttributes(call, {
      flowName: flowFor(call.to.applicationInstanceId).name,
      ...(callerHashKey ? { callerHashKey } : {}),
    });
}
