import type { Client } from '@temporalio/client';
import type { MikroORM } from '../../src/db/orm.js';
import type { RoleProcess } from '../../src/infra/role-process.js';
import type { Emulator } from '../emulator/server.js';

/** What the bench measures, whichever stack it runs on: the embedded one (bench-stack.ts) or the cluster (devkit/cluster). */
export interface BenchStack {
  /** The Switchboard process (worker and web). */
  switchboard: RoleProcess;
  emulator: Emulator;
  client: Client;
  /** The bench's own connection to Switchboard's database, to read the calls' records. */
  orm: MikroORM;
  stop(): Promise<void>;
}
