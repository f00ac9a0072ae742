import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes.js';
import { freePort, temporalCliPath, waitForPort } from '../../src/infra/temporal-dev-server.js';
import { migrateTemporal } from '../../cli/migrate-temporal.js';
import { temporalSearchAttributesCheck } from '../../src/doctor/temporal-search-attributes.js';
import { describeRegistration, registerCallSearchAttributes } from '../../src/temporal/search-attributes.js';
import { startTestStack } from '../helpers/stack.js';

// Issue 26, point 3: a cluster's namespace gets the call's search attributes from Switchboard itself: `doctor`,
// `switchboard migrate` and start-up add those missing (operatorService.addSearchAttributes). Each test has a
// Temporal dev server of its own, started without them as a fresh cluster is (the CLI itself: the stack's start-up
// test must be the first in this process to make Temporal's runtime).

const ALL = CALL_SEARCH_ATTRIBUTES.join(', ');
const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
let server: { child: ChildProcess; connection: Connection } | undefined;

/** A dev server with only the search attributes `extra` names (`Name=Type`), and a connection to it. */
async function bareCluster(
  extra: string[] = [],
  dbFile?: string,
): Promise<{ address: string; connection: Connection }> {
  const port = await freePort();
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--log-level',
    'warn',
  ];
  for (const a of extra) args.push('--search-attribute', a);
  if (dbFile) args.push('--db-filename', dbFile);
  const child = spawn(temporalCliPath(), args, { stdio: 'ignore' });
  await waitForPort(port, 60_000, () => child.exitCode !== null);
  const address = `127.0.0.1:${port}`;
  // The frontend listens a moment before the namespace is served.
  const connection = await Connection.connect({ address });
  for (let i = 0; ; i++) {
    try {
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  server = { child, connection };
  return { address, connection };
}

async function customAttributes(connection: Connection): Promise<Record<string, number>> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  return listed.customAttributes as Record<string, number>;
}

afterEach(() => stopServer());

async function stopServer(): Promise<void> {
  if (!server) return;
  await server.connection.close();
  const exited = new Promise((r) => server!.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
  server = undefined;
}

describe('registering the call search attributes on a cluster', () => {
  it('start-up against a configured cluster adds them', async () => {
    const e = await bareCluster();
    const stack = await startTestStack(
      { TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default' },
      { roles: { worker: false, web: true } },
    );
    try {
      expect(Object.keys(await customAttributes(e.connection))).toEqual(
        expect.arrayContaining([...CALL_SEARCH_ATTRIBUTES]),
      );
    } finally {
      await stack.stop();
    }
  });

  it("start-up on the embedded dev server adds them to a data folder from before them (start-dev's flags do not)", async () => {
    // A data folder whose Temporal database an earlier release made: no call search attribute in it.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-sa-'));
    await bareCluster([], path.join(dataDir, 'temporal.db'));
    await stopServer();
    const stack = await startTestStack({ DATA_DIR: dataDir }, { roles: { worker: false, web: true } });
    try {
      const listed = await stack.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      const custom = listed.customAttributes as Record<string, number>;
      for (const name of CALL_SEARCH_ATTRIBUTES) expect(custom[name], name).toBe(KEYWORD);
    } finally {
      await stack.stop();
    }
  });

  it('doctor adds the missing ones as Keyword, then finds them there', async () => {
    const e = await bareCluster();
    const config = loadConfig({ TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default' });
    expect(await temporalSearchAttributesCheck(config)).toEqual({
      verdict: 'ok',
      check: 'Temporal search attributes',
      detail: `Temporal namespace default: call search attributes ${ALL} registered now`,
    });
    const custom = await customAttributes(e.connection);
    for (const name of CALL_SEARCH_ATTRIBUTES) expect(custom[name], name).toBe(KEYWORD);
    expect(await temporalSearchAttributesCheck(config)).toMatchObject({
      verdict: 'ok',
      detail: `Temporal namespace default: call search attributes ${ALL} registered`,
    });
  });

  it('switchboard migrate adds them and says so', async () => {
    const e = await bareCluster();
    const out: string[] = [];
    const err: string[] = [];
    await migrateTemporal(loadConfig({ TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default' }), {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
    });
    expect(out.join('')).toContain(`Temporal namespace default: call search attributes ${ALL} registered now`);
    expect(err).toEqual([]);
    expect(Object.keys(await customAttributes(e.connection))).toEqual(
      expect.arrayContaining([...CALL_SEARCH_ATTRIBUTES]),
    );
  });

  it('doctor fails, naming it, when one of our names is registered with another type', async () => {
    const e = await bareCluster(['Queue=Int']);
    const line = await temporalSearchAttributesCheck(
      loadConfig({ TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default' }),
    );
    expect(line.verdict).toBe('fail');
    expect(line.detail).toBe(
      'Temporal namespace default: call search attributes: Queue is INT, not Keyword: calls fail to set them; ' +
        'remove or rename them on the cluster',
    );
  });

  it('says what to run where the cluster does not let the app add them (Temporal Cloud)', async () => {
    const refused = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), {
      code: 7,
      details: 'Request unauthorized.',
      metadata: {},
    });
    const cloud = {
      operatorService: { listSearchAttributes: () => Promise.reject(refused) },
    } as unknown as Parameters<typeof registerCallSearchAttributes>[0];
    const r = await registerCallSearchAttributes(cloud, 'switchboard.a1b2c');
    expect(r).toMatchObject({ added: [], present: [], notPermitted: 'Request unauthorized.' });
    expect(describeRegistration(r)).toBe(
      `Temporal namespace switchboard.a1b2c: call search attributes ${ALL} missing, and the app may not add them ` +
        '(Request unauthorized.): register them as Keyword on the cluster (temporal operator search-attribute create ' +
        '--name <Name> --type Keyword; Temporal Cloud: tcld namespace search-attributes add); until then every ' +
        "call's workflow task fails",
    );
  });
});
