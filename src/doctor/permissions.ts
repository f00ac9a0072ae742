/**
 * Which Microsoft Graph application permission each Switchboard feature needs, as each API's v1.0 page documents it
 * (microsoft-graph-docs-contrib, api-reference/v1.0). `switchboard doctor` compares an app token's `roles` with this
 * table; docs/azure-setup.md lists the same.
 *
 * Not in the table because their pages say no permission is checked beyond the call's own: answering a call made to
 * the bot (cloud-communications-calls.md: "If a user wants to call a bot, the bot doesn't need any additional
 * permissions"), playPrompt, cancelMediaProcessing, keepAlive and DELETE (their notes: "Permissions are checked when
 * the call is created; no additional permission check is made when calling this API").
 */

export interface FeaturePermission {
  /** What the feature does, as an operator knows it. */
  feature: string;
  /** The Graph request it makes. */
  api: string;
  /** Any one of these application permissions is enough (least privileged first). */
  anyOf: string[];
  /** The API page that says so. */
  source: string;
}

export const FEATURE_PERMISSIONS = {
  callerIdentity: {
    feature: 'incoming calls: who is calling',
    api: 'the incoming call notification',
    anyOf: [
      'Calls.AccessMedia.All',
      'Calls.Initiate.All',
      'Calls.InitiateGroupCall.All',
      'Calls.JoinGroupCall.All',
      'Calls.JoinGroupCallAsGuest.All',
    ],
    // "Without at least one of these permissions, the source will remain encrypted."
    source: 'call-answer.md (note under Permissions)',
  },
  tones: {
    feature: 'menus, digit input and offer confirmation (key presses)',
    api: 'POST /communications/calls/{id}/subscribeToTone',
    anyOf: ['Calls.AccessMedia.All'],
    source: 'call-subscribetotone.md',
  },
  voicemail: {
    feature: 'voicemail recording',
    api: 'POST /communications/calls/{id}/recordResponse',
    anyOf: ['Calls.AccessMedia.All'],
    source: 'call-record.md',
  },
  transfers: {
    feature: 'putting callers through to agents and numbers (transfer)',
    api: 'POST /communications/calls/{id}/transfer',
    anyOf: ['Calls.Initiate.All'],
    source: 'call-transfer.md',
  },
  outbound: {
    feature: 'ringing agents, callbacks and other outbound calls',
    api: 'POST /communications/calls',
    anyOf: ['Calls.Initiate.All'],
    // "In order for a bot to call a user, it must have the Calls.Initiate.All permission for a P2P call."
    source: 'cloud-communications-calls.md (Peer-to-peer calls); application-post-calls.md',
  },
  presence: {
    feature: 'presence-based routing (agents Busy or Away in Teams are not offered calls)',
    api: 'POST /communications/getPresencesByUserId',
    anyOf: ['Presence.Read.All', 'Presence.ReadWrite.All'],
    source: 'cloudcommunications-getpresencesbyuserid.md',
  },
  activityFeed: {
    feature: "voicemail notices in the box owners' Teams activity feed",
    api: 'POST /users/{id}/teamwork/sendActivityNotification',
    anyOf: ['TeamsActivity.Send'],
    source: 'userteamwork-sendactivitynotification.md',
  },
  directory: {
    feature: "doctor's own check that the flows' resource accounts exist",
    api: 'GET /users/{id}',
    // user-get.md's Application row: User.Read.All (least privileged), User.ReadWrite.All, Directory.Read.All,
    // Directory.ReadWrite.All; graph/migrate-azure-ad-graph-permissions-differences: "reading users in app-only
    // scenarios requires only the User.Read.All permission". User.ReadBasic.All is in the permissions reference as an
    // application permission too, but Get user does not list it, and tenants report GET /users answering 403
    // Authorization_RequestDenied with it alone (Microsoft Q&A 6019739): it is not accepted here.
    anyOf: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    source: 'user-get.md (Permissions, Application)',
  },
} satisfies Record<string, FeaturePermission>;

export type FeatureName = keyof typeof FEATURE_PERMISSIONS;

/** What the configured flows use, which decides the permissions the tenant must grant. */
export interface FlowsInUse {
  queues: number;
  agents: number;
  voicemailBoxes: number;
  /** Voicemail boxes that notify Teams users. */
  boxesWithTeamsUsers: number;
}

/** The features this deployment's flows enable (the directory check is doctor's own, listed apart). */
export function enabledFeatures(flows: FlowsInUse): FeatureName[] {
  const features: FeatureName[] = ['callerIdentity', 'tones'];
  if (flows.voicemailBoxes > 0) features.push('voicemail');
  if (flows.queues > 0) features.push('transfers', 'outbound');
  if (flows.agents > 0) features.push('presence');
  if (flows.boxesWithTeamsUsers > 0) features.push('activityFeed');
  return features;
}

/** The fix for a missing permission, named where an administrator makes it. */
export function grantAdvice(permission: string, clientId: string): string {
  return (
    `Azure portal → Microsoft Entra ID → App registrations → the app ${clientId} → API permissions → ` +
    `Add a permission → Microsoft Graph → Application permissions → ${permission}, then "Grant admin consent"`
  );
}
