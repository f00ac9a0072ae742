/** Handle time assumed until the queue has seen real calls. */
export const DEFAULT_HANDLE_SECONDS = 180;

/**
 * Estimated wait for the caller at `position` (1 = next): the staffed agents work the calls ahead in parallel, each
 * taking the average of recent handle times (talk plus wrap-up), so the caller waits about one handle time per
 * "round" of agents in front of them. With nobody staffed the estimate is the rounds as if one agent were.
 */
export function estimatedWaitSeconds(position: number, staffedAgents: number, recentHandleSeconds: number[]): number {
  const aht = recentHandleSeconds.length
    ? recentHandleSeconds.reduce((a, b) => a + b, 0) / recentHandleSeconds.length
    : DEFAULT_HANDLE_SECONDS;
  return Math.ceil(Math.ceil(Math.max(1, position) / Math.max(1, staffedAgents)) * aht);
}
