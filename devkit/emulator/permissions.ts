/**
 * Graph refuses a request whose app token lacks the application permission its API page requires: 403 with Graph's
 * error body. The table is the v1.0 pages' (microsoft-graph-docs-contrib api-reference/v1.0/api/<page>.md); the
 * requests their pages say are checked only when the call was created (playPrompt, cancelMediaProcessing,
 * keepAlive, DELETE, GET) and answering a call to the bot (cloud-communications-calls.md) need none.
 *
 * The body: for the calling API, code 7504 "Insufficient enterprise tenant permissions, cannot access this API.", as
 * real tenants answer it (public captures: microsoft-graph-comms-samples#276 and #538, msteams-docs#13004); for
 * presence, the activity feed and users, Graph's generic 403 `Forbidden` (errors.md; the message is ours).
 */
import type { NextFunction, Request, Response } from 'express';
import { GraphHttpError, sendGraphError } from './graph-error.js';
import { GRAPH_ROLES } from './tokens.js';

interface Rule {
  method: string;
  path: RegExp;
  anyOf: string[];
  calling: boolean;
  source: string;
}

const CALL = '/communications/calls/[^/]+';
const RULES: Rule[] = [
  // A bot calling a user or a number peer-to-peer (cloud-communications-calls.md; application-post-calls.md).
  {
    method: 'POST',
    path: /^\/communications\/calls\/?$/,
    anyOf: ['Calls.Initiate.All'],
    calling: true,
    source: 'application-post-calls.md',
  },
  {
    method: 'POST',
    path: new RegExp(`^${CALL}/transfer$`),
    anyOf: ['Calls.Initiate.All'],
    calling: true,
    source: 'call-transfer.md',
  },
  {
    method: 'POST',
    path: new RegExp(`^${CALL}/redirect$`),
    anyOf: ['Calls.Initiate.All'],
    calling: true,
    source: 'call-redirect.md',
  },
  {
    method: 'POST',
    path: new RegExp(`^${CALL}/subscribeToTone$`),
    anyOf: ['Calls.AccessMedia.All'],
    calling: true,
    source: 'call-subscribetotone.md',
  },
  {
    method: 'POST',
    path: new RegExp(`^${CALL}/recordResponse$`),
    anyOf: ['Calls.AccessMedia.All'],
    calling: true,
    source: 'call-record.md',
  },
  {
    method: 'POST',
    path: new RegExp(`^${CALL}/participants/invite$`),
    anyOf: ['Calls.InitiateGroupCall.All'],
    calling: true,
    source: 'participant-invite.md',
  },
  {
    method: 'POST',
    path: /^\/communications\/getPresencesByUserId$/,
    anyOf: ['Presence.Read.All', 'Presence.ReadWrite.All'],
    calling: false,
    source: 'cloudcommunications-getpresencesbyuserid.md',
  },
  {
    method: 'POST',
    path: /^\/users\/[^/]+\/teamwork\/sendActivityNotification$/,
    anyOf: ['TeamsActivity.Send'],
    calling: false,
    source: 'userteamwork-sendactivitynotification.md',
  },
  {
    method: 'GET',
    path: /^\/users\/[^/]+$/,
    // user-get.md, Application: User.Read.All, User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All (not
    // User.ReadBasic.All: see src/doctor/permissions.ts).
    anyOf: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    calling: false,
    source: 'user-get.md',
  },
];

/** The permission a request needs, if any. */
export function requiredPermission(method: string, path: string): Rule | undefined {
  return RULES.find((r) => r.method === method && r.path.test(path));
}

/** Express middleware, after requireGraphToken: 403 unless the token's roles hold one of the permissions needed. */
export function requirePermissions() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const rule = requiredPermission(req.method, req.path);
    const roles = (res.locals[GRAPH_ROLES] as string[] | undefined) ?? [];
    if (!rule || rule.anyOf.some((p) => roles.includes(p))) return next();
    const err = rule.calling
      ? new GraphHttpError(403, '7504', 'Insufficient enterprise tenant permissions, cannot access this API.')
      : new GraphHttpError(
          403,
          'Forbidden',
          `Missing role permissions on the request. API requires one of '${rule.anyOf.join(', ')}'.`,
        );
    sendGraphError(req, res, err);
  };
}
