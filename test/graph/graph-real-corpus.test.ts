import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { parseCommsNotifications } from '../../src/graph/notifications.js';
import { tellsWorkflowNothing } from '../../src/server/unread-notifications.js';
import { callWorkflowId, graphNotificationSignal } from '../../src/contracts/call.js';
import { startServices, type Services } from '../helpers/services.js';

// Issue 21, point 7: every notification body in test/fixtures/graph-real/notifications/ (copied from Microsoft's
// documentation and public captures; their sources are in the README beside them) goes through the real webhook,
// with real Temporal behind it, and through the parser, and each must mean what its source says it means
// (<name>.expected.json).
const DIR = path.resolve(import.meta.dirname, '../fixtures/graph-real/notifications');
const TASK_QUEUE = 'graph-real-corpus'; // no worker polls it: the workflows only collect what the webhook hands over

interface Expected {
  webhook: number;
  parsed: { ok: boolean; legacy?: boolean; items?: Record<string, unknown>[] };
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .map((file) => {
    const name = file.slice(0, -'.json'.length);
    const raw = readFileSync(path.join(DIR, file), 'utf8');
    const expected = JSON.parse(readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8')) as Expected;
    return { name, raw, expected };
  })
  // Incoming calls first: their workflows must be started by the webhook itself, with the call it parsed.
  .sort((a, b) => Number(!hasIncoming(a.expected)) - Number(!hasIncoming(b.expected)) || a.name.localeCompare(b.name));

function hasIncoming(e: Expected): boolean {
  return (e.parsed.items ?? []).some((i) => i.kind === 'incoming');
}

/** Graph's operation ids are GUIDs written with or without dashes, in either case: compare them as Graph does. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === 'operationId' && typeof v === 'string' ? v.replace(/-/g, '').toLowerCase() : normalise(v),
    ]),
  );
}

let services: Services;
let base: string;

beforeAll(async () => {
  // Migrated: the webhook keeps a recording's access token in Postgres, out of the workflow (recording-tokens.ts).
  services = await startServices('graph-real-corpus', { migrate: true });
  const logger = pino({ level: 'silent' });
  base = await services.serve(
    createApp({
      client: services.client,
      orm: services.orm,
      logger,
      taskQueue: TASK_QUEUE,
      publicUrl: 'https://switchboard.test',
      notificationVerifier: new NotificationVerifier({
        openIdConfigUrl: services.keys.openIdConfigUrl,
        audience: 'bot-app-id',
        allowedTenants: ['tenant-a'],
        logger,
      }),
    }),
  );
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

/** The call ids a body's items are about. */
function callIdsOf(items: Record<string, unknown>[]): string[] {
  return items.map((i) =>
    i.kind === 'incoming'
      ? String((i.call as { callId: string }).callId)
      : i.kind === 'notification'
        ? String((i.notification as { callId: string }).callId)
        : String(i.callId),
  );
}

async function history(callId: string) {
  return services.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
}

async function decode(payloads: unknown): Promise<unknown[]> {
  return decodeArrayFromPayloads(
    services.client.options.loadedDataConverter,
    payloads as Parameters<typeof decodeArrayFromPayloads>[1],
  );
}

/** What the graphNotification signals after event `after` carried to the call's workflow. */
async function signalsSince(callId: string, after: number): Promise<unknown[]> {
  const events = (await history(callId)).events ?? [];
  const out: unknown[] = [];
  for (const e of events.slice(after)) {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (s?.signalName === graphNotificationSignal.name) out.push(...(await decode(s.input?.payloads)));
  }
  return out;
}

describe('Graph notifications as Microsoft published them (test/fixtures/graph-real)', () => {
  it('has an expectation for every body, and at least the documented ones', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(21);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, { raw, expected }) => {
    // The parser, on the body as published.
    const parsed = parseCommsNotifications(JSON.parse(raw) as unknown, '2026-12-07T00:00:00.000Z');
    expect(normalise(parsed)).toMatchObject(normalise(expected.parsed) as object);
    const items = expected.parsed.items ?? [];

    // The webhook, on the same bytes. Calls it only signals get a workflow to receive them (started here, unpolled).
    const before = new Map<string, number>();
    for (const [i, callId] of callIdsOf(items).entries()) {
      if (items[i]!.kind !== 'notification') continue;
      await services.client.workflow
        .start('callWorkflow', { workflowId: callWorkflowId(callId), taskQueue: TASK_QUEUE, args: [] })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        });
      before.set(callId, (await history(callId)).events?.length ?? 0);
    }
    const res = await fetch(`${base}/api/calling`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await services.keys.sign({ kid: 'k1' })}`,
      },
      body: raw,
    });
    expect(res.status).toBe(expected.webhook);

    for (const [i, callId] of callIdsOf(items).entries()) {
      const item = items[i]!;
      if (item.kind === 'incoming') {
        // The webhook started the call's workflow with the call as the source describes it.
        const started = (await history(callId)).events?.[0]?.workflowExecutionStartedEventAttributes;
        const [input] = (await decode(started?.input?.payloads)) as [{ call: unknown }];
        expect(input.call).toMatchObject(item.call as object);
      } else if (item.kind === 'notification') {
        const received = await signalsSince(callId, before.get(callId) ?? 0);
        const read = parsed.ok ? parsed.items[i] : undefined;
        if (read?.kind === 'notification' && tellsWorkflowNothing(read.notification)) {
          // Acknowledged without a signal: nothing the call's workflow reads (src/server/unread-notifications.ts).
          expect(received).toEqual([]);
          continue;
        }
        // The workflow got the notification as the source describes it.
        expect(received).toHaveLength(1);
        const { payload, ...notification } = item.notification as { payload?: Record<string, unknown> };
        expect(normalise(received[0])).toMatchObject(normalise(notification) as object);
        if (payload) expect((received[0] as { payload: unknown }).payload).toMatchObject(payload);
      } else {
        // Acknowledged and ignored: no call workflow comes of it.
        await expect(history(callId)).rejects.toThrow();
      }
    }
  });
});
