/**
 * POST /users/{userId}/teamwork/sendActivityNotification (userteamwork-sendactivitynotification.md and
 * teamworkactivitytopic.md): body `{ topic, activityType, previewText, templateParameters?, chainId? }`; the topic's
 * `source` is `entityUrl` or `text`, its `value` a Graph URL or plain text, and `webUrl` is required for a `text`
 * topic. Answer 204 No Content. The emulator keeps every accepted notification so tests can read what a user got.
 */
import { badRequest, GraphHttpError } from './graph-error.js';
import { requireBody } from './validation/common.js';

export interface ActivityNotificationRecord {
  at: string;
  userId: string;
  topic: { source: 'entityUrl' | 'text'; value: string; webUrl?: string };
  activityType: string;
  previewText: { content: string; contentType?: string };
  templateParameters: { name: string; value: string }[];
  chainId?: number;
}

const ALLOWED = new Set([
  'topic',
  'activityType',
  'chainId',
  'previewText',
  'templateParameters',
  'teamsAppId',
  'iconId',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function validateActivityNotification(raw: unknown, userId: string): ActivityNotificationRecord {
  const body = requireBody(raw);
  for (const k of Object.keys(body)) {
    if (!ALLOWED.has(k))
      throw badRequest(`The property '${k}' does not exist on type 'microsoft.graph.sendActivityNotification'.`);
  }

  const topic = body['topic'];
  if (topic === undefined || topic === null) throw badRequest("Missing required property 'topic'.");
  if (!isObject(topic)) throw badRequest("Invalid value for 'topic': a teamworkActivityTopic object is required.");
  for (const k of Object.keys(topic)) {
    if (k !== 'source' && k !== 'value' && k !== 'webUrl' && k !== '@odata.type') {
      throw badRequest(`The property '${k}' does not exist on type 'microsoft.graph.teamworkActivityTopic'.`);
    }
  }
  const source = topic['source'];
  if (source !== 'entityUrl' && source !== 'text')
    throw badRequest("Invalid value for 'topic.source': 'entityUrl' or 'text' is required.");
  const value = topic['value'];
  if (typeof value !== 'string' || !value) throw badRequest("Missing required property 'topic.value'.");
  const webUrl = topic['webUrl'];
  if (webUrl !== undefined && (typeof webUrl !== 'string' || !isUrl(webUrl)))
    throw badRequest("Invalid value for 'topic.webUrl': an absolute URL is required.");
  if (source === 'text' && webUrl === undefined)
    throw badRequest("'topic.webUrl' is required when the topic source is 'text'.");
  if (source === 'entityUrl' && !isUrl(value))
    throw badRequest("Invalid value for 'topic.value': an entityUrl topic needs a Microsoft Graph URL.");

  const activityType = body['activityType'];
  if (activityType === undefined || activityType === null)
    throw badRequest("Missing required property 'activityType'.");
  if (typeof activityType !== 'string' || !activityType)
    throw badRequest("Invalid value for 'activityType': a non-empty string is required.");

  const previewText = body['previewText'];
  if (previewText === undefined || previewText === null) throw badRequest("Missing required property 'previewText'.");
  if (!isObject(previewText) || typeof previewText['content'] !== 'string') {
    throw badRequest("Invalid value for 'previewText': an itemBody with a string 'content' is required.");
  }
  const contentType = previewText['contentType'];
  if (contentType !== undefined && contentType !== 'text' && contentType !== 'html')
    throw badRequest("Invalid value for 'previewText.contentType': 'text' or 'html'.");

  const params = body['templateParameters'] ?? [];
  if (!Array.isArray(params))
    throw badRequest("Invalid value for 'templateParameters': a keyValuePair collection is required.");
  const templateParameters = params.map((p: unknown) => {
    if (!isObject(p) || typeof p['name'] !== 'string' || !p['name'] || typeof p['value'] !== 'string') {
      throw badRequest("Invalid value for 'templateParameters': every keyValuePair needs a string 'name' and 'value'.");
    }
    return { name: p['name'], value: p['value'] };
  });

  const chainId = body['chainId'];
  if (chainId !== undefined && (typeof chainId !== 'number' || !Number.isInteger(chainId)))
    throw badRequest("Invalid value for 'chainId': an Int64 is required.");

  return {
    at: new Date().toISOString(),
    userId,
    topic: { source, value, ...(typeof webUrl === 'string' ? { webUrl } : {}) },
    activityType,
    previewText: { content: previewText['content'], ...(typeof contentType === 'string' ? { contentType } : {}) },
    templateParameters,
    ...(typeof chainId === 'number' ? { chainId } : {}),
  };
}

/** The users the emulated tenant knows, when given: anyone else is 404, as Graph answers for a user that doesn't exist. */
export function assertKnownUser(users: ReadonlySet<string> | undefined, userId: string): void {
  if (users && !users.has(userId.toLowerCase())) {
    throw new GraphHttpError(404, 'NotFound', `User '${userId}' was not found in the tenant.`);
  }
}
