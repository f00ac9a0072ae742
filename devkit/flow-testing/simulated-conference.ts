/**
 * Group calls for the flow test kit (issue 24, point 7), as the Graph emulator models them from the docs
 * (devkit/emulator/calls/conference.ts): participants/invite with replacesCallId moves the agent from our ring into
 * the caller's call, which then gets the whole roster; the ring ends. The test decides when the agent or the caller
 * leaves (`agentLeaves`, `callerLeaves`), so a flow's conference runs on the time-skipping server like any wait. An
 * invite without replacesCallId (a supervisor joining) is answered unless the user is in `unanswered`.
 */
import type { ParticipantActivities } from '../../src/contracts/activities/participants.js';
import type { CallNotification, CallState, RosterParticipant } from '../../src/contracts/graph-call.js';

interface Roster {
  callerIn: boolean;
  agents: { userId: string; id: string; muted: boolean }[];
}

export class SimulatedConference {
  private readonly rosters = new Map<string, Roster>();
  /** Teams users who do not answer when invited into a call (a supervisor away from their desk). */
  readonly unanswered = new Set<string>();
  private nextOp = 1;

  constructor(
    private readonly graph: {
      requests: { op: string; callId: string; detail?: unknown }[];
      notify(n: CallNotification): Promise<void>;
      stateOf(callId: string): CallState | undefined;
      /** The agent our ring `callId` went to, if it is one of ours. */
      ringTo(callId: string): string | undefined;
      end(callId: string): Promise<void>;
      /** Send a moment after the request returned, the test server's clock held meanwhile. */
      later(ms: number, send: () => Promise<void>): Promise<void>;
    },
  ) {}

  /** The caller's call's roster now, as GET …/participants reads it. */
  roster(callId: string): RosterParticipant[] {
    const r = this.rosters.get(callId);
    if (!r) return [];
    return [
      ...(r.callerIn ? [{ id: `${callId}-caller`, kind: 'phone' as const, muted: false, inLobby: false }] : []),
      { id: `${callId}-bot`, kind: 'application', muted: false, inLobby: false },
      ...r.agents.map((a) => ({ id: a.id, kind: 'user' as const, userId: a.userId, muted: a.muted, inLobby: false })),
    ];
  }

  /** The agent hangs up: they leave the group call, and the bot gets the roster without them. */
  async agentLeaves(callId: string, userId: string): Promise<void> {
    const r = this.rosters.get(callId);
    if (!r) throw new Error(`call ${callId} is not a group call`);
    r.agents = r.agents.filter((a) => a.userId !== userId);
    await this.notifyRoster(callId);
  }

  /** The caller hangs up a group call: they leave it; the call itself goes on with the bot (and the agent). */
  async callerLeaves(callId: string): Promise<void> {
    const r = this.rosters.get(callId);
    if (!r) throw new Error(`call ${callId} is not a group call`);
    r.callerIn = false;
    await this.notifyRoster(callId);
  }

  private notifyRoster(callId: string): Promise<void> {
    const roster = this.roster(callId);
    return this.graph.notify({ kind: 'participants', callId, roster, payload: { roster } });
  }

  activities(): ParticipantActivities {
    return {
      inviteParticipant: async ({ callId, userId, clientContext, replacesCallId }) => {
        const operationId = `invite-${this.nextOp++}`;
        this.graph.requests.push({ op: 'invite', callId, detail: { userId, replacesCallId } });
        // With replacesCallId the agent moves in from our ring; without, Graph rings them (a supervisor) and they
        // answer, unless the test said they would not.
        const moves =
          replacesCallId === undefined
            ? !this.unanswered.has(userId)
            : this.graph.ringTo(replacesCallId) === userId && this.graph.stateOf(replacesCallId) === 'established';
        const done = (status: 'completed' | 'failed') =>
          this.graph.notify({
            kind: 'operation',
            callId,
            operationId,
            operationType: 'inviteParticipants',
            status,
            clientContext,
            resultInfo: status === 'completed' ? { code: 200, subcode: 0 } : { code: 500, subcode: 7700 },
            payload: {},
          });
        // Graph answers first and reports the outcome after (participant-invite.md): so does this, a moment later.
        await this.graph.later(5, async () => {
          if (!moves) return done('failed');
          const r = this.rosters.get(callId) ?? { callerIn: true, agents: [] };
          r.agents.push({ userId, id: `${callId}-${userId}`, muted: false });
          this.rosters.set(callId, r);
          await done('completed');
          await this.notifyRoster(callId);
          if (replacesCallId !== undefined) await this.graph.end(replacesCallId);
        });
        return { operationId };
      },
      listParticipants: ({ callId }) => {
        this.graph.requests.push({ op: 'listParticipants', callId });
        return Promise.resolve(this.roster(callId));
      },
      muteParticipant: async ({ callId, participantId }) => {
        this.graph.requests.push({ op: 'muteParticipant', callId, detail: { participantId } });
        const a = this.rosters.get(callId)?.agents.find((x) => x.id === participantId);
        if (a) a.muted = true;
        await this.notifyRoster(callId);
      },
      removeParticipant: async ({ callId, participantId }) => {
        this.graph.requests.push({ op: 'removeParticipant', callId, detail: { participantId } });
        const r = this.rosters.get(callId);
        if (r) r.agents = r.agents.filter((x) => x.id !== participantId);
        await this.notifyRoster(callId);
      },
    };
  }
}
