/**
 * `npm run histories:record -- <what>`: the flow tests' calls recorded as this release's call histories, in a new
 * folder test/histories/calls/<today>-<what>/, listed in releases.json. A release's folder is never written again: an
 * existing one is refused, so recordings of earlier releases (which calls started on them must still replay) stay.
 */
import { spawnSync } from 'node:child_process';
import { newHistoryFolder, listRelease } from './history-releases.js';

const folder = await newHistoryFolder('calls', process.argv[2]);
const run = spawnSync('npx', ['vitest', 'run', 'flows/tests'], {
  stdio: 'inherit',
  env: { ...process.env, SWITCHBOARD_RECORD_HISTORIES: folder },
});
if (run.status !== 0) process.exit(run.status ?? 1);
await listRelease(folder);
