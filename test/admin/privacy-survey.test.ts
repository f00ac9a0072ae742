import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DPO, privacyStoresForFile } from '../helpers/privacy-stores.js';
import { eraseSubject, exportSubject } from '../../src/recordings/privacy.js';
import { parseSubject } from '../../src/privacy/phone.js';

// Issue 24, point 5: the post-call survey's answers (survey_response) are call data: a person's export lists them
// with each of their calls, and erasure (like retention, which deletes calls the same way) takes them with the call.
// Real Postgres and a Temporal dev server (privacy-stores.ts).
const privacy = privacyStoresForFile('privacy-survey');

async function answered(callId: string, rows: [question: number, status: string, answer: string | null][]) {
  for (const [question_index, status, answer] of rows)
    await privacy.knex()('survey_response').insert({
      call_id: callId,
      question_index,
      queue: 'care',
      agent_id: 'adele',
      answer,
      status,
      answered_at: new Date(),
    });
}

const surveyOf = async (callId: string) =>
  (await privacy.knex()('survey_response').where('call_id', callId).orderBy('question_index')) as {
    question_index: number;
    answer: string | null;
  }[];

describe('privacy requests cover the post-call survey', () => {
  it("export lists a person's survey answers with their call; erasure removes them, and no one else's", async () => {
    await privacy.insertCall('sv-p-1', '+14255550166', { queue: 'care' });
    await answered('sv-p-1', [
      [1, 'answered', '4'],
      [2, 'noAnswer', null],
    ]);
    await privacy.insertCall('sv-q-1', '+14255550177', { queue: 'care' });
    await answered('sv-q-1', [[0, 'callerLeft', null]]);

    const person = parseSubject('+1 425-555-0166');
    const dir = path.join(privacy.services.dataDir, 'export-survey');
    await exportSubject(privacy.stores, person, dir, DPO);
    const exported = JSON.parse(await readFile(path.join(dir, 'export.json'), 'utf8')) as {
      stores: { store: string; tables?: string[] }[];
      calls: { id: string; survey: { question_index: number; status: string; answer: string | null }[] }[];
    };
    expect(exported.stores.find((s) => s.store === 'postgres')?.tables).toContain('survey_response');
    expect(exported.calls.map((c) => c.id)).toEqual(['sv-p-1']);
    expect(exported.calls[0]!.survey.map((r) => [r.question_index, r.status, r.answer])).toEqual([
      [1, 'answered', '4'],
      [2, 'noAnswer', null],
    ]);

    expect(await eraseSubject(privacy.stores, person, DPO)).toMatchObject({ calls: 1 });
    expect(await surveyOf('sv-p-1')).toEqual([]);
    expect((await surveyOf('sv-q-1')).map((r) => r.question_index)).toEqual([0]);
  });
});
