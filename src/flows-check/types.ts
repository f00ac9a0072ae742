/** What `switchboard flows validate|list` finds: the problems, and a summary of each flow in flows/flows.ts. */

export interface FlowProblem {
  /** Relative to the root, with forward slashes. */
  file: string;
  line: number;
  col: number;
  message: string;
  kind: 'type' | 'flow';
}

export interface FlowSummary {
  /** undefined when the entry of callFlows is not an object literal validate can read. */
  name: string | undefined;
  description: string | undefined;
  numbers: string[];
  /** Where the definition is (file:line). */
  at: string;
  queues: string[];
  voicemailBoxes: string[];
  schedules: string[];
  lookups: string[];
}

export interface FlowsCheck {
  problems: FlowProblem[];
  flows: FlowSummary[];
}
