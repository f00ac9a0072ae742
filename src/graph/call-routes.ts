/**
 * A call's `callRoutes` (api-reference/v1.0/resources/call.md, callroute.md): how Graph retargeted a call we placed,
 * e.g. a ring to an agent that their call forwarding sent to a mobile or another user. Each route's `original` and
 * `final` are identitySets (identityset.md: user, phone, application, applicationInstance, …).
 */
import type { CallParty, CallRoute } from '../contracts/graph-call.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The party an identitySet names; `unknown` when it names none we know (e.g. only a device). */
export function identitySetParty(set: unknown): CallParty {
  if (isObject(set)) {
    for (const kind of ['user', 'phone', 'application', 'applicationInstance'] as const) {
      const ident = set[kind];
      if (isObject(ident) && str(ident.id))
        return {
          kind: kind === 'applicationInstance' ? 'application' : kind,
          id: str(ident.id)!,
          ...(str(ident.displayName) ? { displayName: str(ident.displayName) } : {}),
        };
    }
  }
  return { kind: 'unknown', id: 'unknown' };
}

/** The routes of a call resource's `callRoutes`; empty when it has none (an empty array is what Graph usually sends). */
export function parseCallRoutes(v: unknown): CallRoute[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((r) => ({
    // PascalCase enums are a real-capture quirk elsewhere: `Forwarded` is `forwarded`.
    routingType: (str(r.routingType) ?? 'unknown').replace(/^./, (c) => c.toLowerCase()),
    original: identitySetParty(r.original),
    final: identitySetParty(r.final),
  }));
}
