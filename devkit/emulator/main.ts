/**
 * Runs the Graph emulator as its own process.
 *
 *   EMULATOR_PORT=4000 AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... \
 *   BOT_CALLING_URL=http://127.0.0.1:3978/api/calls tsx devkit/emulator/main.ts
 *
 * Optional: EMULATOR_HOST (default 127.0.0.1), EMULATOR_MEDIA_SPEED (default 1), LOG_LEVEL (default info).
 * Drive it through the control API: POST /emulator/calls, PUT /emulator/agents/:userId,
 * GET /emulator/calls/:id, GET /emulator/requests.
 */
import pino from 'pino';
import { startEmulator } from './server.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`graph emulator: environment variable ${name} is required`);
    process.exit(2);
  }
  return v;
}

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
const port = Number(process.env['EMULATOR_PORT'] ?? '4000');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`graph emulator: EMULATOR_PORT must be a port number, got ${process.env['EMULATOR_PORT']}`);
  process.exit(2);
}
const mediaSpeed = Number(process.env['EMULATOR_MEDIA_SPEED'] ?? '1');

const emulator = await startEmulator({
  port,
  host: process.env['EMULATOR_HOST'] ?? '127.0.0.1',
  tenantId: required('AZURE_TENANT_ID'),
  clientId: required('AZURE_CLIENT_ID'),
  clientSecret: required('AZURE_CLIENT_SECRET'),
  botCallingUrl: required('BOT_CALLING_URL'),
  mediaSpeed,
  logger,
});
emulator.events.on('step', (s: { callId: string; kind: string; detail: string }) =>
  logger.info({ callId: s.callId, kind: s.kind }, s.detail),
);
logger.info(
  { url: emulator.url, graphBaseUrl: emulator.graphBaseUrl, authorityMetadataUrl: emulator.authorityMetadataUrl },
  'graph emulator ready',
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'graph emulator stopping');
    void emulator.stop().then(() => process.exit(0));
  });
}
