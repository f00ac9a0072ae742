import { condition } from '@temporalio/workflow';
import type { AgentPublication, AgentStateRow } from '../../src/contracts/agent.js';

type Write = (w: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>) => Promise<void>;

/**
 * The agent's state history and live row, written to Postgres in the background and in order: a database outage
 * delays the history, never routing. Writes go out up to 200 changes at a time, with the latest live state.
 */
export class AgentRecorder {
  private readonly unrecorded: AgentStateRow[] = [];
  private live: AgentPublication['live'] | undefined;
  private recording = false;

  constructor(
    private readonly agentId: string,
    private readonly write: Write,
  ) {
    void this.run();
  }

  /** A publication's changes and live state, to be written after what is already waiting. */
  record(pub: Pick<AgentPublication, 'changes' | 'live'>): void {
    this.unrecorded.push(...pub.changes);
    this.live = pub.live;
  }

  /** Nothing waiting and nothing being written: the run may continue as new without losing a change. */
  get idle(): boolean {
    return this.live === undefined && !this.recording;
  }

  private async run(): Promise<void> {
    for (;;) {
      await condition(() => this.live !== undefined);
      this.recording = true;
      const batch = this.unrecorded.splice(0, 200);
      const current = this.live!;
      this.live = this.unrecorded.length ? current : undefined;
      await this.write({ agentId: this.agentId, changes: batch, live: current });
      this.recording = false;
    }
  }
}
