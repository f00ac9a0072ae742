/** What the agent workflow and the presence poller ask of the world (activities/agents.ts). */
import type { AgentPublication } from '../agent.js';

export interface AgentActivities {
  /** Postgres: the state history rows (idempotent by key) and the agent's live row. */
  recordAgentState(input: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>): Promise<void>;
  /** The queues the agent belongs to (or just left) hear its status; no Postgres, so routing never waits on it. */
  publishAgentState(pub: AgentPublication): Promise<void>;
  /**
   * The presence poller's leg: reads the agents' Teams presence every `intervalMs` for `runForMs`, and signals an
   * agent's workflow when its presence changed. Long-running and heartbeating.
   */
  pollPresence(input: {
    agentIds: string[];
    intervalMs: number;
    runForMs: number;
  }): Promise<{ polls: number; signals: number }>;
}
