/**
 * The live stream's contract (GET /tabs/api/live, src/tabs/router.ts): what the web process sends each Teams tab and
 * what the tabs' scripts (teams/tabs/) read. Plain types only, so the browser code imports them without the server's.
 */

/** A call an agent is ringing with, talking to or wrapping up: what the agent needs to know of the caller. */
export interface CallCard {
  callId: string;
  workflowId: string;
  from: { number: string | null; name: string | null };
  /** The line dialled (the resource account). */
  line: string | null;
  queue: string | null;
  /** The menu choices and verbs the caller went through, in order. */
  path: string[];
  tags: string[];
  data: Record<string, string | number | boolean>;
}

export interface WaitingCall {
  callId: string;
  workflowId: string;
  queue: string;
  since: string;
  /** 1 = next to be offered, by the order callers entered the queue. */
  position: number;
}

export interface WrapUpChoice {
  code: string;
  label: string;
}

export interface QueueLiveView {
  queue: string;
  waiting: number;
  oldestWaitingSince: string | null;
  agentsByState: Record<string, number>;
  /**
   * SL2 since midnight UTC: answered within the queue's threshold ÷ answered + abandoned (metrics.queue_totals);
   * null before the first answered or abandoned call of the day. Refreshed every 30 s at most.
   */
  serviceLevelToday: number | null;
}

export interface FloorView {
  viewer: { agentId: string; name: string; supervises: boolean };
  /** The viewer's own state; null when the viewer is not an agent on record. */
  me: {
    state: string;
    since: string;
    queues: string[];
    call: CallCard | null;
    /** The codes the agent may give the call on the card (its queue's list, active ones); empty with no call. */
    wrapUpCodes: WrapUpChoice[];
  } | null;
  queues: QueueLiveView[];
  /** Supervisors only: every waiting call, with its position in its queue. */
  waiting: WaitingCall[];
  /** Supervisors only: every agent with their state and queues. */
  agents: { agentId: string; name: string; state: string; since: string; queues: string[]; callId: string | null }[];
  /** Where a call's links lead: the Temporal UI's workflow page and Grafana's Call explorer. */
  links: { temporalWorkflows?: string; grafana?: string };
}
