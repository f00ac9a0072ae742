import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import type { MikroORM } from '../db/orm.js';
import { requireRole, type AdminAuth } from '../admin/identity.js';
import { CodecKeyError } from '../temporal/payload-codec.js';

/**
 * Temporal's codec-server protocol (docs.temporal.io/production-deployment/data-encryption, "codec server"): the
 * Temporal UI, or `temporal workflow show --codec-endpoint`, POSTs `{ payloads: [{ metadata: { k: base64 }, data:
 * base64 }] }` to `<endpoint>/decode` (or `/encode`) and gets the same shape back. Mounted at /codec, it shows
 * Temporal's encrypted payloads (callers' numbers, names, digits) in clear to signed-in admins and supervisors only:
 * - the admin API's Entra ID tokens and roles (src/admin/identity.ts), Switchboard.Admin or Switchboard.Supervisor; the
 *   UI sends its user's token when TEMPORAL_CODEC_PASS_ACCESS_TOKEN is on;
 * - CORS for the Temporal UI's origin only (TEMPORAL_UI_ORIGIN): a page elsewhere cannot have a signed-in browser
 *   decode for it. Requests without an Origin (the CLI) are not browsers' and need the token all the same;
 * - every use is audited (audit_entry: who, from where, which namespace and workflow, how many payloads), never what
 *   was decoded.
 */

export interface CodecEndpointDeps {
  codec: PayloadCodec;
  auth: AdminAuth;
  /** The Temporal UI's origin; undefined: no browser origin is allowed. */
  uiOrigin?: string;
  orm: MikroORM;
  logger: Logger;
}

/** What the Temporal UI sends besides the payloads (the headers it documents), kept in the audit row. */
const HEADERS_ALLOWED = 'authorization, content-type, x-namespace';
const MAX_PAYLOADS = 10_000;

export function codecEndpoint(deps: CodecEndpointDeps): Router {
  const router = express.Router();
  router.use(cors(uiOrigins(deps.uiOrigin)));
  router.use(deps.auth.authenticate(), requireRole('Switchboard.Admin', 'Switchboard.Supervisor'));
  router.use(express.json({ limit: '8mb' }));
  for (const action of ['decode', 'encode'] as const) {
    router.post(`/${action}`, (req, res, next) => {
      handle(deps, action, req, res).catch(next);
    });
  }
  router.all(['/decode', '/encode'], (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: { code: 'MethodNotAllowed', message: 'the codec endpoint takes POST' } });
  });
  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'NotFound', message: 'the codec endpoint has POST /encode and /decode' } });
  });
  return router;
}

async function handle(deps: CodecEndpointDeps, action: 'decode' | 'encode', req: Request, res: Response) {
  const parsed = readPayloads(req.body);
  if (typeof parsed === 'string') return void res.status(400).json({ error: { code: 'BadRequest', message: parsed } });
  let out: Payload[];
  try {
    out = await (action === 'decode' ? deps.codec.decode(parsed) : deps.codec.encode(parsed));
  } catch (err) {
    if (!(err instanceof CodecKeyError)) throw err;
    return void res.status(422).json({ error: { code: 'UnprocessableEntity', message: err.message } });
  }
  const caller = req.caller!;
  const namespace = req.header('x-namespace') ?? '';
  await deps.orm.em
    .getKnex()
    .table('audit_entry')
    .insert({
      at: new Date(),
      actor_id: caller.objectId,
      actor_name: caller.name,
      ip: caller.ip,
      action: `temporal.${action}`,
      target: namespace.slice(0, 200) || '(no namespace)',
      after: JSON.stringify({ payloads: parsed.length }),
    });
  deps.logger.info(
    { actorId: caller.objectId, ip: caller.ip, namespace, payloads: parsed.length },
    `Temporal payloads ${action}d through the codec endpoint`,
  );
  res.setHeader('Cache-Control', 'no-store');
  res.json({ payloads: out.map(toJson) });
}

/**
 * The UI's origin, and on loopback its twin: a browser on the same machine reaches the dev server's UI as localhost or
 * 127.0.0.1, whichever was typed (docs.temporal.io/production-deployment/temporal-proxy/codec-server lists both).
 */
function uiOrigins(uiOrigin: string | undefined): string[] {
  if (!uiOrigin) return [];
  const url = new URL(uiOrigin);
  const twin = url.hostname === '127.0.0.1' ? 'localhost' : url.hostname === 'localhost' ? '127.0.0.1' : undefined;
  return twin ? [url.origin, `${url.protocol}//${twin}${url.port ? `:${url.port}` : ''}`] : [url.origin];
}

/** CORS for the Temporal UI only: its preflight is answered, any other origin is refused before anything else. */
function cors(allowed: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    if (origin === undefined) return next();
    if (!allowed.includes(origin)) {
      return void res
        .status(403)
        .json({ error: { code: 'Forbidden', message: `origin ${origin} may not use the codec endpoint` } });
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', HEADERS_ALLOWED);
      res.setHeader('Access-Control-Max-Age', '600');
      return void res.status(204).end();
    }
    next();
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The protocol's JSON (protobuf's JSON mapping: bytes as base64) to payloads, or what is wrong with it. */
function readPayloads(body: unknown): Payload[] | string {
  const list = (body as { payloads?: unknown } | undefined)?.payloads;
  if (!Array.isArray(list)) return 'expected a JSON body { "payloads": [ { "metadata": {...}, "data": "base64" } ] }';
  if (list.length > MAX_PAYLOADS) return `at most ${MAX_PAYLOADS} payloads per request`;
  const payloads: Payload[] = [];
  for (const [i, p] of list.entries()) {
    const { metadata = {}, data = '' } = (p ?? {}) as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      return `payloads[${i}].metadata: expected an object of base64 strings`;
    const entries = Object.entries(metadata as Record<string, unknown>);
    if (typeof data !== 'string' || !BASE64.test(data)) return `payloads[${i}].data: expected base64`;
    if (entries.some(([, v]) => typeof v !== 'string' || !BASE64.test(v)))
      return `payloads[${i}].metadata: expected an object of base64 strings`;
    payloads.push({
      metadata: Object.fromEntries(entries.map(([k, v]) => [k, new Uint8Array(Buffer.from(v as string, 'base64'))])),
      data: new Uint8Array(Buffer.from(data, 'base64')),
    });
  }
  return payloads;
}

function toJson(p: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}
