import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DPO, PRIVACY_HMAC_KEY, privacyStoresForFile } from '../helpers/privacy-stores.js';
import { eventually } from '../helpers/eventually.js';
import { eraseSubject, exportSubject } from '../../src/recordings/privacy.js';
import { parseSubject } from '../../src/privacy/phone.js';
import { callerHash, callSearchAttributeKeys } from '../../src/temporal/search-attributes.js';

// Issue 22 leftover 2: a privacy request finds the person's calls in Temporal by the CallerHash search attribute the
// webhook tags each call with (src/temporal/search-attributes.ts, issue 26), in one visibility query, instead of one
// query and one describe per call Postgres lists. It also finds the calls Postgres does not know of: one still in
// its flow before the recorder wrote its row. Real Postgres and a Temporal dev server (privacy-stores.ts).
const privacy = privacyStoresForFile('privacy-caller-hash');
const PERSON = '+14255550144';
const OTHER = '+14255550155';

/** A call's workflow as the webhook starts it, tagged with the caller's hash; no worker runs it, so it stays open. */
async function callWorkflow(id: string, from: string, opts: { closed?: boolean } = {}) {
  const hash = callerHash({ kind: 'phone', id: from }, PRIVACY_HMAC_KEY)!;
  const handle = await privacy.services.client.workflow.start('callWorkflow', {
    workflowId: `call-${id}`,
    taskQueue: 'privacy-caller-hash-no-worker',
    args: [{}],
    typedSearchAttributes: [{ key: callSearchAttributeKeys.CallerHash, value: hash }],
  });
  if (opts.closed) await handle.terminate('ended before the request');
  return hash;
}

describe('privacy requests find the caller in Temporal by CallerHash', () => {
  it("export lists, and erase ends and deletes, the person's calls Postgres does not know of; no one else's", async () => {
    // The person's ended call (in Postgres too), their call in progress (not yet in Postgres), another caller's call.
    await privacy.insertCall('ch-p-1', '14255550144');
    await callWorkflow('ch-p-1', PERSON, { closed: true });
    const hash = await callWorkflow('ch-p-2', PERSON);
    await privacy.insertCall('ch-q-1', OTHER);
    await callWorkflow('ch-q-1', OTHER);
    // Visibility indexes a start in the background: the request comes once it has.
    const query = `CallerHash = '${hash}'`;
    // (Listed, not counted: the dev server's CountWorkflowExecutions answered 3, every run, for this query.)
    await eventually(async () => {
      let n = 0;
      for await (const _ of privacy.services.client.workflow.list({ query })) n++;
      return n === 2 ? true : undefined;
    }, 'both calls of the person indexed');

    const person = parseSubject('+1 425-555-0144');
    const dir = path.join(privacy.services.dataDir, 'export-caller-hash');
    await exportSubject(privacy.stores, person, dir, DPO);
    const exported = JSON.parse(await readFile(path.join(dir, 'export.json'), 'utf8')) as {
      stores: { store: string; workflowIds?: string[] }[];
    };
    const temporal = exported.stores.find((s) => s.store === 'temporal');
    expect(temporal?.workflowIds?.sort()).toEqual(['call-ch-p-1', 'call-ch-p-2']);

    const erased = await eraseSubject(privacy.stores, person, DPO);
    expect(erased).toMatchObject({ calls: 1, historiesDeleted: 2, historiesTerminated: 1 });
    // The call in progress was ended and its history goes (in the background: 18-51 s on an idle dev server; a wait).
    await eventually(
      () =>
        privacy.services.client.workflow
          .getHandle('call-ch-p-2')
          .describe()
          .then(
            () => undefined,
            (err: unknown) => (err instanceof WorkflowNotFoundError ? true : undefined),
          ),
      'the history of call-ch-p-2 to be deleted',
      280_000,
    );
    await expect(privacy.services.client.workflow.getHandle('call-ch-q-1').describe()).resolves.toMatchObject({
      status: { name: 'RUNNING' },
    });
    expect((await privacy.knex()('call').select('id')).map((c: { id: string }) => c.id)).toEqual(['ch-q-1']);
  });
});
