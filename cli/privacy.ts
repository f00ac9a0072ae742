import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import { openDatabase } from '../src/db/orm.js';
import { FolderRecordingStore } from '../src/recordings/store.js';
import { eraseSubject, exportSubject, type PrivacyStores } from '../src/recordings/privacy.js';
import { InvalidSubjectError, parseSubject, type DataSubject } from '../src/privacy/phone.js';
import { PrivacyKeyError, privacyHmacKey } from '../src/privacy/subject-ref.js';
import { connectClient } from '../src/temporal/connection.js';
import { displayPhoneNumber } from '../src/phone/number.js';
import { commandProgress } from '../src/infra/progress.js';

import { PRIVACY_USAGE as USAGE } from './usage.js';

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { caller: { type: 'string' }, out: { type: 'string' } },
  });
}

function describe(subject: DataSubject): string {
  // For the operator to read and check against the request: `+44 20 7946 0958`, not the E.164 digits.
  return subject.kind === 'phone' ? displayPhoneNumber(subject.e164) : `Teams user ${subject.id}`;
}

/**
 * A person's data requests (GDPR art. 15 and 17), run by an operator against DATABASE_URL, the recordings folder and
 * Temporal; each one is audited. Exit codes: 0 done, 1 a store was out of reach (nothing erased), 2 bad input.
 */
export async function privacy(
  config: Config,
  argv: string[],
  out: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
  err: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean } = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    err.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [action] = parsed.positionals;
  const caller = parsed.values.caller?.trim();
  if ((action !== 'erase' && action !== 'export') || !caller) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let subject: DataSubject;
  let hmacKey: Buffer;
  try {
    subject = parseSubject(caller, config.privacy.phoneRegion);
    hmacKey = privacyHmacKey(config.privacy.hmacKey, config.dataDir);
  } catch (e) {
    if (!(e instanceof InvalidSubjectError) && !(e instanceof PrivacyKeyError)) throw e;
    err.write(`${e.message}\n`);
    return 2;
  }
  if (!config.database.url) {
    err.write('Invalid configuration: DATABASE_URL is required for privacy requests\n');
    return 2;
  }
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
  let temporal: Client;
  try {
    temporal = await connectClient(config, address);
    // A connection is lazy: ask once, so an unreachable Temporal stops the request before anything is erased.
    await temporal.workflowService.getSystemInfo({});
  } catch (e) {
    err.write(
      `Temporal at ${address} is out of reach (${(e as Error).message.split('\n')[0]}): nothing was erased or ` +
        `exported; run the request again when it is up (TEMPORAL_ADDRESS)\n`,
    );
    return 1;
  }
  const orm = await openDatabase(config.database.url);
  const progress = commandProgress(err);
  const stores: PrivacyStores = {
    onProgress: (step, done, all) => progress.step(step, done, all),
    orm,
    store: new FolderRecordingStore(config.recordings.dir),
    temporal,
    hmacKey,
    ...(config.privacy.phoneRegion ? { region: config.privacy.phoneRegion } : {}),
  };
  const actor = {
    id: `cli:${os.userInfo().username}`,
    name: `${os.userInfo().username} (switchboard CLI)`,
    ip: os.hostname(),
  };
  const who = describe(subject);
  try {
    if (action === 'erase') {
      const r = await eraseSubject(stores, subject, actor);
      progress.end();
      const total = r.calls + r.voicemails + r.callbacks + r.recordings + r.redactedEvents + r.historiesDeleted;
      out.write(
        total === 0
          ? `no data held for ${who}; nothing erased (recorded in the audit log)\n`
          : `erased for ${who}: ${r.calls} calls, ${r.events} timeline entries, ${r.voicemails} voicemails, ` +
              `${r.callbacks} callbacks, ${r.recordings} recordings (${r.files} files), ` +
              `${r.recordingTokens} recording access tokens, ` +
              `${r.redactedEvents} entries of other calls' timelines redacted, ` +
              `${r.historiesDeleted} Temporal histories deleted (${r.historiesTerminated} running, ended first)\n`,
      );
    } else {
      const name = subject.kind === 'phone' ? subject.e164 : subject.id;
      const dir = parsed.values.out ?? path.resolve(`privacy-export-${name.replace(/[^\w+]/g, '_')}`);
      const r = await exportSubject(stores, subject, dir, actor);
      progress.end();
      out.write(
        `exported for ${who}: ${r.calls} calls, ${r.voicemails} voicemails, ${r.callbacks} callbacks, ` +
          `${r.recordings} recordings → ${r.file} (stores: ${r.stores.join(', ')})\n`,
      );
    }
    return 0;
  } finally {
    progress.end();
    await orm.close();
    await temporal.connection.close();
  }
}
