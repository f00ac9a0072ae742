/**
 * The documented request body of every Graph v1.0 operation the app sends, as strict zod schemas: required
 * properties, allowed values and ranges, and no unknown properties. Sources (microsoft-graph-docs-contrib,
 * api-reference/v1.0): call-answer, call-reject, call-redirect, call-transfer, call-playprompt, call-record,
 * call-subscribetotone, call-cancelmediaprocessing, call-delete, call-get, participant-invite, participant-mute,
 * participant-delete, call-list-participants,
 * application-post-calls, cloudcommunications-getpresencesbyuserid, userteamwork-sendactivitynotification, and the
 * resource pages they link (invitationParticipantInfo, identitySet, mediaInfo, mediaPrompt, serviceHostedMediaConfig,
 * teamworkActivityTopic, itemBody, keyValuePair).
 */
import { z } from 'zod';

const odata = (name: string) =>
  z
    .string()
    .refine((v) => v.replace(/^#/, '') === name, `@odata.type must be #${name}`)
    .optional();
const clientContext = z.string().max(256).optional();
const httpsOrLoopback = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (
      u.protocol === 'https:' || (u.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname))
    );
  } catch {
    return false;
  }
}, 'an https URI (http only on loopback, the emulator)');

const identity = z
  .object({
    '@odata.type': odata('microsoft.graph.identity'),
    id: z.string().min(1),
    displayName: z.string().optional(),
    tenantId: z.string().optional(),
  })
  .strict();
const phoneIdentity = identity.extend({ id: z.string().regex(/^\+[1-9]\d{1,14}$/, 'E.164') }).strict();
const identitySet = z
  .object({
    '@odata.type': odata('microsoft.graph.identitySet'),
    user: identity.optional(),
    phone: phoneIdentity.optional(),
    application: identity.optional(),
    applicationInstance: identity.optional(),
  })
  .strict()
  .refine(
    (s) => ['user', 'phone', 'application', 'applicationInstance'].filter((k) => k in s).length === 1,
    'exactly one identity',
  );
const endpointType = z.enum([
  'default',
  'voicemail',
  'skypeForBusiness',
  'skypeForBusinessVoipPhone',
  'unknownFutureValue',
]);
const invitationParticipantInfo = z
  .object({
    '@odata.type': odata('microsoft.graph.invitationParticipantInfo'),
    identity: identitySet,
    endpointType: endpointType.optional(),
    replacesCallId: z.string().min(1).optional(),
    hidden: z.boolean().optional(),
    participantId: z.string().optional(),
    removeFromDefaultAudioRoutingGroup: z.boolean().optional(),
  })
  .strict();
const participantInfo = z
  .object({
    '@odata.type': odata('microsoft.graph.participantInfo'),
    identity: identitySet,
    endpointType: endpointType.optional(),
    languageId: z.string().optional(),
    region: z.string().optional(),
  })
  .strict();
const mediaInfo = z
  .object({
    '@odata.type': odata('microsoft.graph.mediaInfo'),
    uri: httpsOrLoopback,
    resourceId: z.string().optional(),
  })
  .strict();
const mediaPrompt = z.object({ '@odata.type': z.literal('#microsoft.graph.mediaPrompt'), mediaInfo }).strict();
const modality = z.enum(['audio', 'video', 'videoBasedScreenSharing']);
const serviceHostedMediaConfig = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.serviceHostedMediaConfig'),
    preFetchMedia: z.array(mediaInfo).optional(),
  })
  .strict();
const seconds = z.number().int().min(1).max(120).optional();
const absoluteUrl = z.string().refine((v) => {
  try {
    return ['https:', 'http:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'an absolute URL');
const teamworkActivityTopic = z
  .object({
    '@odata.type': odata('microsoft.graph.teamworkActivityTopic'),
    source: z.enum(['entityUrl', 'text']),
    value: z.string().min(1),
    webUrl: absoluteUrl.optional(),
  })
  .strict()
  .refine((t) => t.source !== 'text' || t.webUrl !== undefined, 'webUrl is required when source is text')
  .refine(
    (t) => t.source !== 'entityUrl' || /^https:\/\/graph\.microsoft\.com\//.test(t.value),
    'an entityUrl topic value is a Microsoft Graph URL',
  );
const itemBody = z
  .object({
    '@odata.type': odata('microsoft.graph.itemBody'),
    content: z.string(),
    contentType: z.enum(['text', 'html']).optional(),
  })
  .strict();
const keyValuePair = z
  .object({ '@odata.type': odata('microsoft.graph.keyValuePair'), name: z.string().min(1), value: z.string() })
  .strict();
const empty = z.union([z.null(), z.undefined(), z.object({}).strict()]);

export const REQUEST_SCHEMAS: { operation: string; method: string; path: RegExp; body: z.ZodTypeAny }[] = [
  { operation: 'getCall', method: 'GET', path: /^\/communications\/calls\/[^/]+$/, body: empty },
  {
    operation: 'getOperation',
    method: 'GET',
    path: /^\/communications\/calls\/[^/]+\/operations\/[^/]+$/,
    body: empty,
  },
  { operation: 'deleteCall', method: 'DELETE', path: /^\/communications\/calls\/[^/]+$/, body: empty },
  // call-list-participants.md: GET /communications/calls/{id}/participants, no body.
  {
    operation: 'listParticipants',
    method: 'GET',
    path: /^\/communications\/calls\/[^/]+\/participants$/,
    body: empty,
  },
  // participant-delete.md: DELETE /communications/calls/{id}/participants/{id}, no body, 204.
  {
    operation: 'deleteParticipant',
    method: 'DELETE',
    path: /^\/communications\/calls\/[^/]+\/participants\/[^/]+$/,
    body: empty,
  },
  {
    operation: 'createCall',
    method: 'POST',
    path: /^\/communications\/calls$/,
    body: z
      .object({
        '@odata.type': z.literal('#microsoft.graph.call').optional(),
        callbackUri: httpsOrLoopback,
        source: participantInfo.optional(),
        targets: z.array(invitationParticipantInfo).min(1),
        requestedModalities: z.array(modality).min(1),
        mediaConfig: serviceHostedMediaConfig,
        tenantId: z.string().optional(),
        subject: z.string().optional(),
        callOptions: z
          .object({ '@odata.type': z.string().optional(), isContentSharingNotificationEnabled: z.boolean().optional() })
          .strict()
          .optional(),
      })
      .strict()
      .refine(
        (b) => !b.targets.some((t) => t.identity.phone) || (b.source?.identity.applicationInstance && b.tenantId),
        'a phone target needs an applicationInstance source and tenantId',
      ),
  },
  {
    operation: 'answer',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/answer$/,
    body: z
      .object({
        callbackUri: httpsOrLoopback.optional(),
        acceptedModalities: z.array(modality).min(1),
        mediaConfig: serviceHostedMediaConfig,
        participantCapacity: z.number().int().positive().optional(),
        callOptions: z
          .object({ '@odata.type': z.string().optional(), isContentSharingNotificationEnabled: z.boolean().optional() })
          .strict()
          .optional(),
      })
      .strict(),
  },
  {
    operation: 'reject',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/reject$/,
    body: z
      .object({ reason: z.enum(['none', 'busy', 'forbidden']).optional(), callbackUri: httpsOrLoopback.optional() })
      .strict(),
  },
  {
    operation: 'redirect',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/redirect$/,
    body: z
      .object({
        targets: z.array(invitationParticipantInfo).min(1).max(25),
        timeout: z.number().int().min(15).max(90).optional(),
        callbackUri: httpsOrLoopback.optional(),
      })
      .strict(),
  },
  {
    operation: 'transfer',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/transfer$/,
    body: z
      .object({ transferTarget: invitationParticipantInfo, transferee: participantInfo.optional(), clientContext })
      .strict(),
  },
  {
    operation: 'playPrompt',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/playPrompt$/,
    body: z.object({ prompts: z.array(mediaPrompt).min(1).max(20), clientContext }).strict(),
  },
  {
    operation: 'recordResponse',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/recordResponse$/,
    body: z
      .object({
        prompts: z.array(mediaPrompt).max(1).optional(),
        bargeInAllowed: z.boolean().optional(),
        initialSilenceTimeoutInSeconds: seconds,
        maxSilenceTimeoutInSeconds: seconds,
        maxRecordDurationInSeconds: seconds,
        playBeep: z.boolean().optional(),
        stopTones: z
          .array(z.enum(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D']))
          .optional(),
        clientContext,
      })
      .strict(),
  },
  {
    operation: 'subscribeToTone',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/subscribeToTone$/,
    body: z.object({ clientContext }).strict(),
  },
  {
    // call-keepalive.md: POST /communications/calls/{id}/keepAlive, no request body (the client sends {}).
    operation: 'keepAlive',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/keepAlive$/,
    body: z.object({}).strict(),
  },
  {
    operation: 'cancelMediaProcessing',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/cancelMediaProcessing$/,
    body: z.object({ clientContext }).strict(),
  },
  {
    operation: 'invite',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/participants\/invite$/,
    body: z
      .object({ participants: z.array(invitationParticipantInfo).min(1).max(5), clientContext })
      .strict()
      .refine(
        (b) => b.participants.length === 1 || !b.participants.some((p) => p.replacesCallId),
        'only one participant with replacesCallId',
      ),
  },
  {
    // participant-mute.md: POST /communications/calls/{id}/participants/{id}/mute {clientContext}; group calls only.
    operation: 'muteParticipant',
    method: 'POST',
    path: /^\/communications\/calls\/[^/]+\/participants\/[^/]+\/mute$/,
    body: z.object({ clientContext }).strict(),
  },
  {
    operation: 'getPresencesByUserId',
    method: 'POST',
    path: /^\/communications\/getPresencesByUserId$/,
    body: z.object({ ids: z.array(z.string().min(1)).min(1).max(650) }).strict(),
  },
  {
    operation: 'sendActivityNotification',
    method: 'POST',
    path: /^\/users\/[^/]+\/teamwork\/sendActivityNotification$/,
    body: z
      .object({
        topic: teamworkActivityTopic,
        activityType: z.string().min(1),
        chainId: z.number().int().optional(),
        previewText: itemBody,
        templateParameters: z.array(keyValuePair).optional(),
        teamsAppId: z.string().optional(),
      })
      .strict(),
  },
];

export interface LoggedRequest {
  method: string;
  /** As received by the emulator, e.g. /v1.0/communications/calls/x/answer?y */
  path: string;
  body: unknown;
  status?: number;
  clientRequestId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The app's Graph client (its TelemetryHandler) stamps every request with a UUID client-request-id; raw test
 * requests that probe the emulator with bad bodies on purpose send none, or a non-UUID one. */
export function sentByAppClient(r: LoggedRequest): boolean {
  return typeof r.clientRequestId === 'string' && UUID.test(r.clientRequestId);
}

/** Why a request does not match its operation's documented schema; undefined when it conforms. */
export function checkRequest(r: LoggedRequest): string | undefined {
  const path = r.path.replace(/^\/v1\.0/, '').split('?')[0]!;
  const schema = REQUEST_SCHEMAS.find((s) => s.method === r.method && s.path.test(path));
  if (!schema) return `${r.method} ${path}: not a documented operation the app may use`;
  const parsed = schema.body.safeParse(r.body);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  return `${schema.operation} ${r.method} ${path}: ${issues}`;
}

/** The app's requests (sent through its Graph client) that break their schema. */
export function conformanceFailures(lines: LoggedRequest[]): string[] {
  return lines
    .filter(sentByAppClient)
    .map(checkRequest)
    .filter((m): m is string => m !== undefined);
}
