import { describe, expect, it } from 'vitest';
import { clientRetry } from '../../src/temporal/connection.js';

type Status = Parameters<typeof clientRetry.delayFunction>[1];
const status = (code: number, details: string) => ({ code, details, metadata: {} }) as unknown as Status;
// The server's words while it retries a workflow's continue-as-new that a signal overtook (ErrWorkflowClosing).
const closing = status(8, 'workflow operation can not be applied because workflow is closing');
const rateLimited = status(8, 'namespace rate limit exceeded');

describe('the Temporal client retries', () => {
  it('a request turned away while its workflow closes, within about a tenth of a second, up to ten attempts', () => {
    expect(clientRetry.retryableDecider(1, closing)).toBe(true);
    expect(clientRetry.delayFunction(1, closing)).toBeGreaterThanOrEqual(60 * 1.7 * 0.8);
    expect(clientRetry.delayFunction(1, closing)).toBeLessThanOrEqual(60 * 1.7 * 1.2);
    expect(clientRetry.retryableDecider(10, closing)).toBe(false);
  });

  it('as the SDK does otherwise: RESOURCE_EXHAUSTED after 1.7 s, UNAVAILABLE after 0.17 s, a bad request never', () => {
    expect(clientRetry.delayFunction(1, rateLimited)).toBeGreaterThanOrEqual(1700 * 0.8);
    expect(clientRetry.delayFunction(1, status(14, 'connection refused'))).toBeLessThanOrEqual(170 * 1.2);
    expect(clientRetry.retryableDecider(1, status(3, 'bad request'))).toBe(false);
  });
});
