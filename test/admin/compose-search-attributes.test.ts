import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes.js';
import { freePort, temporalCliPath, waitForPort } from '../../src/infra/temporal-dev-server.js';
import { composeConfig } from '../helpers/compose.js';

// Issue 26, point 3: docker-compose's admin-tools job `temporal-namespace` registers the call's search attributes.
// Its script, as `docker compose config` resolves it (the compose plugin bin/bootstrap.sh installs in .venv/docker),
// is run here with the same `temporal` CLI against a dev server started without them, as a fresh cluster is: twice,
// since the job runs on every `up`.
const run = promisify(execFile);

async function namespaceJobScript(): Promise<string> {
  const job = (await composeConfig<{ services: Record<string, { entrypoint?: string[]; command?: string[] }> }>())
    .services['temporal-namespace']!;
  expect(job.entrypoint).toEqual(['/bin/sh', '-c']);
  return job.command![0]!;
}

let server: ChildProcess;
let address: string;
let connection: Connection;

beforeAll(async () => {
  const port = await freePort();
  server = spawn(
    temporalCliPath(),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'warn'],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 60_000, () => server.exitCode !== null);
  address = `127.0.0.1:${port}`;
  connection = await Connection.connect({ address });
});

afterAll(async () => {
  await connection?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
});

describe("docker-compose's temporal-namespace job", () => {
  it('registers every call search attribute as Keyword, and runs again unchanged', async () => {
    const script = await namespaceJobScript();
    // The admin-tools image has `temporal` on its PATH and TEMPORAL_ADDRESS from the job's environment.
    const env = {
      ...process.env,
      PATH: `${path.dirname(temporalCliPath())}:${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: address,
    };
    for (let time = 1; time <= 2; time++) await run('/bin/sh', ['-c', script], { env, timeout: 60_000 });
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const custom = listed.customAttributes as Record<string, number>;
    for (const name of CALL_SEARCH_ATTRIBUTES)
      expect(custom[name], name).toBe(temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });
});
