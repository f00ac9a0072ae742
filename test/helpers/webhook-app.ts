/**
 * The app as the Graph webhook tests build it (test/graph/webhook*.test.ts): notifications verified against `keys`
 * for the bot's audience and tenant-a, no worker behind the task queue, so a started workflow shows what was read.
 */
import type { Client } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import type { MikroORM } from '../../src/db/orm.js';
import { createApp, type AppDeps } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import type { SigningKeys } from './signing-keys.js';

export function createWebhookApp(
  on: { client: Client; orm: MikroORM; keys: SigningKeys; logger?: Logger },
  extra: Partial<AppDeps> = {},
) {
  const logger = on.logger ?? pino({ level: 'silent' });
  return createApp({
    client: on.client,
    orm: on.orm,
    logger,
    taskQueue: 'no-worker-here',
    publicUrl: 'https://switchboard.test',
    notificationVerifier: new NotificationVerifier({
      openIdConfigUrl: on.keys.openIdConfigUrl,
      audience: 'bot-app-id',
      allowedTenants: ['tenant-a'],
      logger,
      jwksCooldownMs: 0,
    }),
    ...extra,
  });
}
