/**
 * vitest globalSetup: every Graph request the app sends to an emulator during the whole run is appended to one
 * JSONL file (the emulator reads SWITCHBOARD_GRAPH_REQUEST_LOG). test/graph/conformance.test.ts runs last (see
 * sequencer.ts) and checks them; this teardown re-checks the complete log, so a request sent by any file, in any
 * order, that breaks its documented schema fails the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conformanceFailures, type LoggedRequest } from '../helpers/graph-request-schemas.js';

export const LOG_ENV = 'SWITCHBOARD_GRAPH_REQUEST_LOG';

export function readLog(file: string): LoggedRequest[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LoggedRequest);
}

export default function setup(): () => void {
  // Each vitest project runs its global set-up; the first one's log serves the whole run, and its teardown checks it.
  if (process.env[LOG_ENV]) return () => undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-conformance-'));
  const file = path.join(dir, 'graph-requests.jsonl');
  process.env[LOG_ENV] = file;
  return () => {
    const failures = conformanceFailures(readLog(file));
    rmSync(dir, { recursive: true, force: true });
    if (failures.length > 0) {
      // vitest only logs an error thrown from a global teardown; set the exit code so the run fails.
      process.stderr.write(
        `\nGraph conformance: ${failures.length} request(s) the app sent do not match the documented schema:\n  ${failures.slice(0, 50).join('\n  ')}\n`,
      );
      process.exitCode = 1;
    }
  };
}
