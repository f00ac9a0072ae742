/**
 * The stores a privacy request reads and erases (src/recordings/privacy.ts), for the test/admin/privacy*.test.ts files:
 * real Postgres, a real recordings folder and a Temporal dev server, started before the file's tests, stopped after.
 */
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import { afterAll, beforeAll } from 'vitest';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import type { PrivacyStores } from '../../src/recordings/privacy.js';
import { startServices, type Services } from './services.js';

/** The key audit rows hash a person with (subjectRef); the CLI tests pass it as PRIVACY_HMAC_KEY. */
export const PRIVACY_HMAC_KEY = Buffer.from('test-privacy-hmac-key-0123456789abcdef');

/** Who asks, as the `switchboard privacy` CLI names its operator. */
export const DPO = { id: 'cli:dpo', name: 'Data protection officer', ip: 'cli' };

export interface PrivacyFixture {
  /** Set before the file's tests run. */
  services: Services;
  stores: PrivacyStores;
  knex(): Knex;
  /** A call row from `fromId`, as the recorder writes it, arrived now; `columns` over these. */
  insertCall(id: string, fromId: string, columns?: Record<string, unknown>): Promise<void>;
}

/**
 * Erasure deletes histories (DeleteWorkflowExecution). An open run is terminated and deleted as its close task runs; a
 * closed run's DeleteExecutionTask waits until the transfer queue's saved ack level has passed the run's close task,
 * retrying every 3 s growing by 1.5 (go.temporal.io/server v1.30.4, service/history/transfer_queue_task_executor_base.go
 * deleteExecution, isCloseExecutionTaskPending; common/util.go dependencyTaskNotCompletedReschedule*). That level is
 * saved every history.transferProcessorUpdateAckInterval, 30 s ± 15% by default. Measured on the dev server (CLI 1.9.1),
 * request to NotFound for a run closed 0–6 s before: 10.5, 19.6, 31.3, 53.6 s by default; 3.8 s, then 0.01 s, with 1 s.
 */
const DELETE_SOON = { 'history.transferProcessorUpdateAckInterval': '1s' };

export function privacyStoresForFile(name: string): PrivacyFixture {
  const fixture: PrivacyFixture = {
    services: undefined as unknown as Services,
    stores: undefined as unknown as PrivacyStores,
    knex: () => fixture.services.orm.em.getKnex(),
    async insertCall(id, fromId, columns = {}) {
      const at = new Date();
      await fixture
        .knex()('call')
        .insert({
          id,
          workflow_id: `call-${id}`,
          from_kind: 'phone',
          from_id: fromId,
          arrived_at: at,
          updated_at: at,
          ...columns,
        });
    },
  };
  beforeAll(async () => {
    fixture.services = await startServices(name, { migrate: true, temporalDynamicConfig: DELETE_SOON });
    fixture.stores = {
      orm: fixture.services.orm,
      store: new FolderRecordingStore(path.join(fixture.services.dataDir, 'recordings')),
      temporal: fixture.services.client,
      hmacKey: PRIVACY_HMAC_KEY,
    };
  }, 120_000);
  afterAll(async () => {
    await fixture.services?.stop();
  });
  return fixture;
}
