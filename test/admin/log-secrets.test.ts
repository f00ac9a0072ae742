import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { callResult, startTestStack, type TestStack } from '../helpers/stack.js';
import { queues } from '../../flows/index.js';

// A whole call at debug level, then the log is searched for anything secret.
let stack: TestStack | undefined;
let dir: string | undefined;

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('writes no secret or token to the log during a whole call', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-logs-'));
  const logFile = path.join(dir, 'switchboard.log');
  const secret = 'Sw1tchb0ard-client-secret-do-not-log';
  stack = await startTestStack({ LOG_LEVEL: 'debug', AZURE_CLIENT_SECRET: secret }, { logFile });
  for (const agent of queues.support!.agents)
    stack.emulator!.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 500 });
  const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550177' } });
  expect((await callResult(stack.client, callId)).outcome).toBe('connected');
  // An unauthenticated request too, whose token must not be echoed into the log.
  const forged = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtZmFrZQ';
  expect((await stack.postCalling({ value: [] }, { authorization: `Bearer ${forged}` })).status).toBe(401);
  await stack.stop();
  stack = undefined;

  const log = await readFile(logFile, 'utf8');
  expect(log.split('\n').length).toBeGreaterThan(20); // it really logged the call, at debug level
  expect(log).toContain(callId);
  expect(log).not.toContain(secret);
  expect(log).not.toContain('c2lnbmF0dXJlLXRoYXQtaXMtZmFrZQ');
  // No JWT of any kind (Graph access tokens, notification tokens) in any line.
  expect(log.match(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g)).toBeNull();
});
