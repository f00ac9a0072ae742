import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { openDatabase } from '../db/orm.js';
import { FolderRecordingStore } from '../recordings/store.js';
import { eraseCaller, exportCaller } from '../recordings/privacy.js';

const USAGE = `usage: switchboard privacy erase --caller <number>
       switchboard privacy export --caller <number> [--out <folder>]`;

/** A person's data requests (GDPR art. 15 and 17), run by an operator against DATABASE_URL; each one is audited. */
export async function privacy(
  config: Config,
  argv: string[],
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { caller: { type: 'string' }, out: { type: 'string' } },
    });
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
  if (!config.database.url) {
    err.write('Invalid configuration: DATABASE_URL is required for privacy requests\n');
    return 2;
  }
  const orm = await openDatabase(config.database.url);
  const store = new FolderRecordingStore(config.recordings.dir);
  const actor = {
    id: `cli:${os.userInfo().username}`,
    name: `${os.userInfo().username} (switchboard CLI)`,
    ip: os.hostname(),
  };
  try {
    if (action === 'erase') {
      const r = await eraseCaller(orm, store, caller, actor);
      const total = r.calls + r.voicemails + r.callbacks + r.recordings;
      out.write(
        total === 0
          ? `no data held for ${caller}; nothing erased (recorded in the audit log)\n`
          : `erased for ${caller}: ${r.calls} calls, ${r.events} timeline entries, ${r.voicemails} voicemails, ${r.callbacks} callbacks, ${r.recordings} recordings (${r.files} files)\n`,
      );
    } else {
      const dir = parsed.values.out ?? path.resolve(`privacy-export-${caller.replace(/[^\w+]/g, '_')}`);
      const r = await exportCaller(orm, store, caller, dir, actor);
      out.write(
        `exported for ${caller}: ${r.calls} calls, ${r.voicemails} voicemails, ${r.callbacks} callbacks, ${r.recordings} recordings → ${r.file}\n`,
      );
    }
    return 0;
  } finally {
    await orm.close();
  }
}
