/**
 * The emulator's own API under /emulator, for other processes (the demo CLI, scenarios) to place calls, script
 * agents and callees, inject faults and read what happened. The scripts' schemas are the contract it checks.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { CallManager } from './calls/call-manager.js';
import type { Fault, Faults } from './faults.js';
import type { AgentDirectory } from './people.js';
import { ACTIVITY, AVAILABILITY } from './presence.js';
import type { AgentScript, CalleeScript, CallerScript, RecordedRequest } from './types.js';
import { isE164 } from '../../src/phone/number.js';

const faultSchema = z
  .object({
    action: z.string().min(1),
    callId: z.string().min(1).optional(),
    status: z.union([
      z.literal(404),
      z.literal(429),
      z.literal(500),
      z.literal(502),
      z.literal(503),
      z.literal(504),
      z.literal('noResponse'),
    ]),
    times: z.number().int().min(1).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    holdMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

const quirksSchema = z
  .object({
    establishedBeforeEstablishing: z.boolean().optional(),
    duplicates: z.number().int().min(1).max(5).optional(),
    stringCodes: z.boolean().optional(),
    subCodeSpelling: z.boolean().optional(),
    resourceDataArray: z.boolean().optional(),
    pascalCaseEnums: z.boolean().optional(),
    recordCompletionReason: z.boolean().optional(),
  })
  .strict();

const digitsSchema = z.array(
  z
    .object({ atMs: z.number().nonnegative(), keys: z.string().regex(/^[0-9*#A-Da-d]+$/, 'keys are 0-9, *, #, A-D') })
    .strict(),
);

export const calleeScriptSchema = z
  .object({
    onCall: z.enum(['answer', 'never', 'busy']).optional(),
    answerAfterMs: z.number().nonnegative().optional(),
    hangUpAfterMs: z.number().nonnegative().optional(),
    digits: digitsSchema.optional(),
    speechMs: z.number().nonnegative().optional(),
  })
  .strict();

export const callerScriptSchema = z
  .object({
    from: z.union([
      z.object({ user: z.object({ id: z.string().min(1), displayName: z.string().optional() }).strict() }).strict(),
      z.object({ phone: z.string().refine(isE164, 'phone must be E.164, e.g. +12345678901') }).strict(),
    ]),
    applicationInstanceId: z.string().min(1).optional(),
    hangUpAfterMs: z.number().nonnegative().optional(),
    incomingCopies: z.number().int().min(1).max(10).optional(),
    digits: digitsSchema.optional(),
    speechMs: z.number().nonnegative().optional(),
    recording: z
      .object({
        format: z.enum(['wav', 'mp3', 'ogg-opus', 'wma', 'm4a']).optional(),
        level: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    quirks: quirksSchema.optional(),
  })
  .strict();

export const agentScriptSchema = z
  .object({
    onTransfer: z.enum(['accept', 'decline', 'ignore']),
    answerAfterMs: z.number().nonnegative().optional(),
    talkMs: z.number().nonnegative().optional(),
    onWhisper: z.enum(['press', 'never']).optional(),
    callAnswering: z
      .object({
        voicemailAfterMs: z.number().nonnegative().nullable().optional(),
        forward: z
          .object({
            to: z.union([
              z.object({ phone: z.string().refine(isE164, 'must be an E.164 number') }).strict(),
              z.object({ userId: z.string().min(1) }).strict(),
            ]),
            afterMs: z.number().nonnegative().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    presence: z
      .array(
        z
          .object({ atMs: z.number().nonnegative(), availability: z.enum(AVAILABILITY), activity: z.enum(ACTIVITY) })
          .strict(),
      )
      .optional(),
  })
  .strict();

export interface ControlApiOptions {
  calls: CallManager;
  agents: AgentDirectory;
  faults: Faults;
  requests: RecordedRequest[];
  baseUrl: () => string;
}

export function controlApi({ calls, agents, faults, requests, baseUrl }: ControlApiOptions): express.Router {
  const control = express.Router();
  control.use(express.json());
  control.post('/calls', (req, res) => {
    const parsed = callerScriptSchema.safeParse(req.body);
    if (!parsed.success)
      return void res.status(400).json({ error: 'invalid CallerScript', issues: parsed.error.issues });
    res.status(201).json({ callId: calls.incoming.placeCall(parsed.data as CallerScript) });
  });
  control.get('/calls', (_req, res) => {
    res.json({ value: calls.registry.ids().map((id) => ({ id, state: calls.registry.get(id)?.state })) });
  });
  control.get('/calls/:id', (req, res) => {
    const view = calls.view(req.params.id as string);
    if (!view) return void res.status(404).json({ error: 'no such call' });
    res.json(view);
  });
  control.put('/agents/:userId', (req, res) => {
    const parsed = agentScriptSchema.safeParse(req.body);
    if (!parsed.success)
      return void res.status(400).json({ error: 'invalid AgentScript', issues: parsed.error.issues });
    agents.setScript(req.params.userId as string, parsed.data as AgentScript);
    res.json(agents.view(req.params.userId as string));
  });
  control.put('/callees/:id', (req, res) => {
    const parsed = calleeScriptSchema.safeParse(req.body);
    if (!parsed.success)
      return void res.status(400).json({ error: 'invalid CalleeScript', issues: parsed.error.issues });
    calls.ringing.setCallee(req.params.id as string, parsed.data as CalleeScript);
    res.json({ id: req.params.id, script: parsed.data });
  });
  control.get('/agents', (_req, res) => {
    res.json({ value: agents.list() });
  });
  control.get('/agents/:userId', (req, res) => {
    res.json(agents.view(req.params.userId as string));
  });
  control.post('/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid fault', issues: parsed.error.issues });
    faults.add(parsed.data as Fault);
    res.status(201).json({ ok: true });
  });
  control.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  control.get('/requests', (_req, res) => {
    res.json({ value: requests });
  });
  control.get('/health', (_req, res) => {
    res.json({ ok: true, url: baseUrl() });
  });
  control.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: number; message?: string };
    res.status(e.status && e.status < 500 ? e.status : 400).json({ error: e.message ?? String(err) });
  });
  return control;
}
