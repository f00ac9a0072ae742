import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 24, point 5: the post-call survey's answers, one row per question asked (question_index 1–3) with the key
 * pressed (`answered`), or none (`noAnswer`: no key, or a key the question does not accept; `hungUp`: the caller
 * hung up at this question). A caller who left the conference before the agent gets no survey: their call has one
 * row, question_index 0, status `callerLeft`, so the surveys not offered are counted. Rows go with their call
 * (retention, erasure: on delete cascade). The answers are ratings, not personal data: the reader role (Grafana)
 * reads them through metrics.survey_response.
 */
export class Migration20261207221500_survey_response extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "survey_response" (
      "call_id" varchar(64) not null references "call" ("id") on delete cascade,
      "question_index" smallint not null check ("question_index" between 0 and 3),
      "queue" varchar(100) not null,
      "agent_id" varchar(100) null,
      "answer" varchar(1) null,
      "status" varchar(20) not null check ("status" in ('answered', 'noAnswer', 'hungUp', 'callerLeft')),
      "answered_at" timestamptz not null,
      primary key ("call_id", "question_index")
    );`);
    this.addSql(`create index if not exists "survey_response_answered_at_index" on "survey_response" ("answered_at");`);
    this.addSql(`create or replace view metrics.survey_response as
      select call_id, question_index, queue, agent_id, answer, status, answered_at from survey_response;`);
    this.addSql(`grant select on metrics.survey_response to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists metrics.survey_response;`);
    this.addSql(`drop table if exists "survey_response";`);
  }
}
