/**
 * What Graph tells us about a call, as the call workflow receives it: the typed vocabulary src/graph/notifications.ts
 * parses Graph's `commsNotifications` into. Types only, so the workflow bundle takes them without the parser.
 */

export type CallState =
  | 'incoming'
  | 'establishing'
  | 'ringing'
  | 'established'
  | 'hold'
  | 'transferring'
  | 'transferAccepted'
  | 'redirecting'
  | 'terminating'
  | 'terminated';

export interface ResultInfo {
  code: number;
  subcode: number;
  message?: string;
}

export interface CallParty {
  kind: 'user' | 'phone' | 'application' | 'unknown';
  id: string;
  displayName?: string;
}

export interface IncomingCall {
  callId: string;
  tenantId?: string;
  from: CallParty;
  /** The resource account (applicationInstance) or app the caller dialled: it selects the flow. */
  to: { applicationInstanceId?: string; applicationId?: string; phone?: string };
  callbackUri?: string;
  /** When the notification reached us (ISO); the workflow's own clock takes over after that. */
  receivedAt: string;
}

/**
 * How Graph retargeted a call: a `callRoute` of the call's `callRoutes` (api-reference/v1.0/resources/callroute.md,
 * call.md: "The routing information on how the call was retargeted"). `routingType` is `forwarded`, `lookup` or
 * `selfFork`; `original` is the identity the call was placed to, `final` the one it resolved to.
 */
export interface CallRoute {
  routingType: string;
  original: CallParty;
  final: CallParty;
}

export type CallNotification =
  | {
      kind: 'state';
      callId: string;
      state: CallState;
      resultInfo?: ResultInfo;
      /** The call's `callRoutes`, when the notification carries any. */
      routes?: CallRoute[];
      payload: unknown;
    }
  | {
      kind: 'operation';
      callId: string;
      operationId: string;
      operationType: string;
      status: string;
      completionReason?: string;
      clientContext?: string;
      resultInfo?: ResultInfo;
      payload: unknown;
    }
  | { kind: 'tone'; callId: string; tone: string; sequenceId: number; payload: unknown }
  /**
   * A roster notification (participant-invite.md, participant-mute.md: "all participants will receive a roster
   * update"): `changeType: updated` on …/participants with resourceData an array of participants. `roster` is that
   * array read (no phone numbers: a phone party is only `phone`); `removed` when Graph sent it as `deleted` (those
   * participants left). The payload is the same reading, never Graph's raw body (it names callers).
   */
  | { kind: 'participants'; callId: string; roster?: RosterParticipant[]; removed?: boolean; payload: unknown };

/**
 * One participant of a group call as the roster shows it (resources/participant.md): its participant id, who it is
 * (a Teams user's id; a phone party or the app itself by kind only), and whether it is muted or waiting in the lobby.
 */
export interface RosterParticipant {
  /** participant.id; null in some documented notifications, then undefined. */
  id?: string;
  kind: 'user' | 'phone' | 'application' | 'unknown';
  /** The Entra object id of a Teams user (an agent, a supervisor); never set for a phone party. */
  userId?: string;
  /** participant.isMuted, or a server mute on its audio stream (mediaStream.serverMuted). */
  muted: boolean;
  inLobby: boolean;
}
