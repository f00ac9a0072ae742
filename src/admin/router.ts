import express, { type Request, type Response, type Router } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Call } from '../db/entities/call.js';
import { CallEvent } from '../db/entities/call-event.js';
import { AgentLive } from '../db/entities/agent-state.js';
import { pendingAvailability } from './agent-pending.js';
import { AuditEntry, WrapUpCode } from '../db/entities/admin.js';
import { audit, decodeCursor, encodeCursor, HttpError } from './common.js';
import { operationsHandlers } from './operations.js';
import { callWrapUp, wrapUpHandlers } from './wrap-up.js';
import { superviseHandlers } from './supervise.js';
import { transferHandlers } from './transfer.js';
import { queueSettingsHandlers } from './queue-settings.js';
import type { Client } from '@temporalio/client';
import { requireRole, type AdminAuth } from './identity.js';
import type { Handler, Parsed, RecordingsAccess } from './handler.js';
import type { AdminCatalog } from './catalog.js';
import { routes, type RouteSpec } from './routes.js';
import { signRecordingLink } from '../recordings/signed-url.js';
import { normalisePhoneNumber } from '../phone/number.js';

export { HttpError };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const nul = <T>(v: T | undefined) => (v === undefined ? null : v);
/** LIKE patterns from user input: their wildcards are data, not syntax. */
const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `?caller=`: the start of the number as stored (`+44` finds every UK caller), or a whole number in any format
 * (`00 44 20 7946 0958`, `+1 (425) 555-0100`), read by libphonenumber and matched in the forms Graph gives it.
 */
function callerFilter(caller: string): Record<string, unknown> {
  const e164 = normalisePhoneNumber(caller);
  const prefix = { fromId: { $like: likePrefix(caller) } };
  return e164 ? { $or: [prefix, { fromId: { $in: [e164, e164.slice(1)] } }] } : prefix;
}

function callView(c: Call) {
  return {
    id: c.id,
    workflowId: c.workflowId,
    fromKind: nul(c.fromKind),
    fromId: nul(c.fromId),
    fromName: nul(c.fromName),
    toId: nul(c.toId),
    queue: nul(c.queue),
    agentId: nul(c.agentId),
    outcome: nul(c.outcome),
    waitSeconds: nul(c.waitSeconds),
    arrivedAt: c.arrivedAt.toISOString(),
    answeredAt: iso(c.answeredAt),
    queuedAt: iso(c.queuedAt),
    offeredAt: iso(c.offeredAt),
    connectedAt: iso(c.connectedAt),
    endedAt: iso(c.endedAt),
  };
}

const wrapUpView = (w: WrapUpCode) => ({
  code: w.code,
  label: w.label,
  active: w.active,
  updatedAt: w.updatedAt.toISOString(),
});

const handlers: { [K in keyof typeof routes]: Handler } = {
  me: async (_input, { caller }) => caller,

  listCalls: async ({ query }, { em }) => {
    const q = query as z.infer<typeof routes.listCalls.query>;
    const where: Record<string, unknown>[] = [];
    if (q.caller) where.push(callerFilter(q.caller));
    if (q.queue) where.push({ queue: q.queue });
    if (q.outcome) where.push({ outcome: q.outcome });
    if (q.since) where.push({ arrivedAt: { $gte: new Date(q.since) } });
    if (q.until) where.push({ arrivedAt: { $lt: new Date(q.until) } });
    const after = decodeCursor(q.cursor);
    if (after) {
      const at = new Date(String(after[0]));
      where.push({ $or: [{ arrivedAt: { $lt: at } }, { arrivedAt: at, id: { $lt: String(after[1]) } }] });
    }
    const rows = await em.find(Call, where.length ? { $and: where } : {}, {
      orderBy: { arrivedAt: 'desc', id: 'desc' },
      limit: q.limit + 1,
    });
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items: items.map(callView),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.arrivedAt.toISOString(), last.id]) : null,
    };
  },

  getCall: async ({ params }, { em }) => {
    const call = await em.findOne(Call, { id: String(params.id) });
    if (!call) throw new HttpError(404, 'NotFound', 'no such call');
    const events = await em.find(CallEvent, { callId: call.id }, { orderBy: { seq: 'asc' } });
    return {
      ...callView(call),
      wrapUp: await callWrapUp(em, call.id),
      segments: call.segments ?? null,
      timeline: events.map((e) => ({ seq: e.seq, type: e.type, at: e.at.toISOString(), payload: e.payload ?? null })),
    };
  },

  agentState: async ({ params }, { caller, em, client }) => {
    const id = String(params.id);
    const mayReadOthers = caller.roles.some((r) => r === 'Switchboard.Admin' || r === 'Switchboard.Supervisor');
    if (!mayReadOthers && id !== caller.objectId)
      throw new HttpError(403, 'Forbidden', 'agents may only see their own state');
    const live = await em.findOne(AgentLive, { agentId: id });
    if (!live) throw new HttpError(404, 'NotFound', 'no state recorded for this agent');
    return {
      agentId: live.agentId,
      state: live.state,
      since: live.since.toISOString(),
      callId: nul(live.callId),
      pendingAvailability: await pendingAvailability(client, id),
    };
  },

  listWrapUpCodes: async (_input, { em }) =>
    (await em.find(WrapUpCode, {}, { orderBy: { code: 'asc' } })).map(wrapUpView),

  putWrapUpCode: async ({ params, body }, { caller, em }) => {
    const code = String(params.code);
    const b = body as z.infer<typeof routes.putWrapUpCode.body>;
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(WrapUpCode, { code }, { lockMode: 4 /* pessimistic write */ });
      const before = existing ? wrapUpView(existing) : null;
      const row = existing ?? tx.create(WrapUpCode, { code, label: b.label, active: b.active, updatedAt: new Date() });
      Object.assign(row, { label: b.label, active: b.active, updatedAt: new Date() });
      audit(
        tx,
        caller,
        existing ? 'wrapUpCode.update' : 'wrapUpCode.create',
        `wrap-up-code:${code}`,
        before,
        wrapUpView(row),
      );
      return wrapUpView(row);
    });
  },

  deleteWrapUpCode: async ({ params }, { caller, em }) => {
    const code = String(params.code);
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(WrapUpCode, { code });
      if (!existing) throw new HttpError(404, 'NotFound', 'no such wrap-up code');
      const before = wrapUpView(existing);
      tx.remove(existing);
      audit(tx, caller, 'wrapUpCode.delete', `wrap-up-code:${code}`, before, null);
      return before;
    });
  },

  recordingLink: async ({ params }, { caller, em, recordings }) => {
    if (!recordings) throw new HttpError(404, 'NotFound', 'recordings are not served by this process');
    const id = String(params.id);
    const knex = em.getKnex();
    const row = await knex('recording').where('id', id).first('id');
    if (!row) throw new HttpError(404, 'NotFound', 'no such recording');
    const expiresAt = new Date(Date.now() + recordings.linkTtlSeconds * 1000);
    await knex('recording_access').insert({
      recording_id: id,
      action: 'link',
      actor_id: caller.objectId,
      actor_name: caller.name,
      ip: caller.ip,
    });
    return {
      url: `${recordings.publicUrl}/api/recordings/${id}?${signRecordingLink(recordings.signingKey, id, expiresAt, caller.objectId)}`,
      expiresAt: expiresAt.toISOString(),
    };
  },

  listAudit: async ({ query }, { em }) => {
    const q = query as z.infer<typeof routes.listAudit.query>;
    const where: Record<string, unknown>[] = [];
    if (q.action) where.push({ action: q.action });
    const after = decodeCursor(q.cursor);
    if (after) where.push({ id: { $lt: String(after[1]) } });
    const rows = await em.find(AuditEntry, where.length ? { $and: where } : {}, {
      orderBy: { id: 'desc' },
      limit: q.limit + 1,
    });
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items: items.map((a) => ({
        ...a,
        id: String(a.id),
        at: a.at.toISOString(),
        before: a.before ?? null,
        after: a.after ?? null,
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.at.toISOString(), String(last.id)]) : null,
    };
  },

  ...operationsHandlers,
  ...wrapUpHandlers,
  ...superviseHandlers,
  ...transferHandlers,
  ...queueSettingsHandlers,
};

function parse(spec: RouteSpec, req: Request): Parsed {
  const out: Parsed = { params: {}, query: {}, body: undefined };
  const parts: [keyof Parsed, z.ZodTypeAny | undefined, unknown][] = [
    ['params', spec.params, req.params],
    ['query', spec.query ?? z.object({}).strict(), req.query],
    ['body', spec.body, req.body],
  ];
  for (const [key, schema, value] of parts) {
    if (!schema) continue;
    const r = schema.safeParse(value ?? {});
    if (!r.success) {
      const details = r.error.issues.map((i) => ({ path: [key, ...i.path].join('.'), message: i.message }));
      throw Object.assign(
        new HttpError(400, 'ValidationError', details.map((d) => `${d.path}: ${d.message}`).join('; ')),
        { details },
      );
    }
    (out as Record<string, unknown>)[key] = r.data;
  }
  return out;
}

/** /api/admin: every route authenticated by Entra ID, authorised by app role, validated by its schema. */
export function adminRouter(opts: {
  orm: MikroORM;
  auth: AdminAuth;
  logger: Logger;
  /** The configuration in flows/, handed in by the web role (app/stack/admin-catalog.ts). */
  catalog: AdminCatalog;
  recordings?: RecordingsAccess;
  /** Temporal, for what lives in workflows (queue memberships); without it those routes answer 503. */
  client?: Client;
}): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(opts.auth.authenticate());
  router.use(express.json({ limit: '100kb' }));
  for (const [name, spec] of Object.entries(routes) as [keyof typeof routes, RouteSpec][]) {
    const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
    router[spec.method](path, requireRole(...spec.roles), async (req: Request, res: Response) => {
      try {
        const input = parse(spec, req);
        const result = await handlers[name](input, {
          caller: req.caller!,
          em: opts.orm.em.fork(),
          catalog: opts.catalog,
          ...(opts.recordings ? { recordings: opts.recordings } : {}),
          ...(opts.client ? { client: opts.client } : {}),
        });
        res.json(result);
      } catch (err) {
        if (err instanceof HttpError) {
          const details = (err as HttpError & { details?: unknown }).details;
          res
            .status(err.status)
            .json({ error: { code: err.code, message: err.message, ...(details ? { details } : {}) } });
          return;
        }
        opts.logger.error({ err, route: name }, 'admin API request failed');
        res.status(500).json({ error: { code: 'InternalError', message: 'internal error' } });
      }
    });
  }
  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'NotFound', message: 'no such admin route' } });
  });
  return router;
}
