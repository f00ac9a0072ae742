/** The bodies Graph's call actions take: identity sets, invitation participants and prompt media. */
import { createHash } from 'node:crypto';
import type {
  CommunicationsIdentitySet,
  Identity,
  InvitationParticipantInfo,
  MediaInfo,
} from '@microsoft/microsoft-graph-types';
import type { TransferTarget } from '../contracts/activities/graph.js';

export interface CallResultInfo {
  code: number;
  subcode: number;
  message?: string;
}

export function identitySet(target: TransferTarget): CommunicationsIdentitySet & { '@odata.type': string } {
  return 'phone' in target
    ? {
        '@odata.type': '#microsoft.graph.identitySet',
        phone: { '@odata.type': '#microsoft.graph.identity', id: target.phone } as Identity,
      }
    : {
        '@odata.type': '#microsoft.graph.identitySet',
        user: {
          '@odata.type': '#microsoft.graph.identity',
          id: target.userId,
          ...(target.displayName ? { displayName: target.displayName } : {}),
        } as Identity,
      };
}

export function invitationParticipant(
  target: TransferTarget,
  replacesCallId?: string,
): InvitationParticipantInfo & { '@odata.type': string } {
  return {
    '@odata.type': '#microsoft.graph.invitationParticipantInfo',
    identity: identitySet(target),
    ...(replacesCallId ? { replacesCallId } : {}),
  };
}

/**
 * A stable resourceId for a prompt URI. Graph caches pre-fetched media by resourceId, so pass the same
 * id in answer's preFetchMedia and in playPrompt (CallControl does both when none is given).
 */
export function promptResourceId(uri: string): string {
  const h = createHash('sha1').update(`switchboard-prompt:${uri}`).digest('hex');
  // UUID layout, version 5 / RFC 4122 variant bits.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function mediaInfo(uri: string, resourceId?: string): MediaInfo & { '@odata.type': string } {
  return { '@odata.type': '#microsoft.graph.mediaInfo', uri, resourceId: resourceId ?? promptResourceId(uri) };
}

export function toResultInfo(v: unknown): CallResultInfo | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  const code = Number(r['code']);
  const subcode = Number(r['subcode'] ?? r['subCode']);
  if (!Number.isFinite(code) || !Number.isFinite(subcode)) return undefined;
  return { code, subcode, ...(typeof r['message'] === 'string' ? { message: r['message'] } : {}) };
}
