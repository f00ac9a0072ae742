/** What the agent workflow and the presence poller ask of the world (activities/agents.ts). */
import type { AgentPublication } from '../agent.js';

/**
 * Whether a call's workflow is still running, as Temporal describes it (by workflow id: its latest run). `status` is
 * Temporal's (`RUNNING`, `COMPLETED`, `TERMINATED`, …) or `NOT_FOUND` (never started, or gone with retention).
 */
export interface CallWorkflowStatus {
  open: boolean;
  status: string;
  /** When a closed run closed (ISO): the latest its talk can have ended. */
  closedAt?: string;
}

export interface AgentActivities {
  /** Postgres: the state history rows (idempotent by key) and the agent's live row. */
  recordAgentState(input: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>): Promise<void>;
  /** The queues the agent belongs to (or just left) hear its status; no Postgres, so routing never waits on it. */
  publishAgentState(pub: AgentPublication): Promise<void>;
  /**
   * Asked by an on-call agent whose call's end only that call's workflow reports (a conference), every 10 minutes of
   * talk: a workflow that is gone will never report it (AGENT_CALL_WORKFLOW_GONE_PATCH).
   */
  callWorkflowStatus(input: { workflowId: string }): Promise<CallWorkflowStatus>;
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
