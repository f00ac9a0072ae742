/** The bench's queues and agents, and the line each call dials. */
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../../src/contracts/queue-config.js';

export const benchAgentId = (i: number): string => `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/**
 * One queue: `support`, unlimited. N > 1: queues bench-1..bench-N, each with Teams' limit of 200 waiting calls
 * (src/routing/validate.ts) and the agents dealt out round robin.
 */
export function benchQueues(
  agents: string[],
  queueCount: number,
  presence: boolean,
  confirm: 'key' | 'none' = 'key',
): Record<string, QueueConfig> {
  const names = queueCount === 1 ? ['support'] : Array.from({ length: queueCount }, (_, i) => `bench-${i + 1}`);
  return Object.fromEntries(
    names.map((name, q) => [
      name,
      {
        ...DEFAULT_QUEUE,
        name,
        agents: agents.filter((_, i) => i % queueCount === q),
        agentSkills: {},
        method: 'longestIdle',
        wrapUpSeconds: 1,
        maxCalls: queueCount === 1 ? 100_000 : 200,
        maxWaitSeconds: 3600,
        ...(presence ? {} : { presenceBased: false }),
        confirm,
      } satisfies QueueConfig,
    ]),
  );
}

/**
 * The line call i dials: one queue, the default line (greeting, then `support`); several, the bench line of queue
 * i mod N (straight into the queue, no greeting: flows/flows.ts).
 */
export function benchLine(queues: Record<string, QueueConfig>, i: number): { applicationInstanceId?: string } {
  const names = Object.keys(queues);
  return names.length === 1 ? {} : { applicationInstanceId: `${BENCH_LINE_PREFIX}${names[i % names.length]}` };
}
