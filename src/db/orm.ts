import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { CallSchema } from './entities/call.js';
import { CallEventSchema } from './entities/call-event.js';
import { AgentLiveSchema, AgentStateChangeSchema, QueueLiveSchema } from './entities/agent-state.js';
import { Migration20261128000000_calls } from './migrations/Migration20261128000000_calls.js';
import { Migration20261128010000_agents } from './migrations/Migration20261128010000_agents.js';
import { Migration20261128020000_routing } from './migrations/Migration20261128020000_routing.js';
import { Migration20261128040000_admin } from './migrations/Migration20261128040000_admin.js';
import { AuditEntrySchema, WrapUpCodeSchema } from './entities/admin.js';
import { Migration20261128030000_metrics } from './migrations/Migration20261128030000_metrics.js';
import { Migration20261128050000_recordings } from './migrations/Migration20261128050000_recordings.js';
import { Migration20261128070000_rollups } from './migrations/Migration20261128070000_rollups.js';
import { Migration20261128060000_schedules } from './migrations/Migration20261128060000_schedules.js';
import { ScheduleExceptionSchema } from './entities/schedule.js';
import { Migration20261128080000_flows } from './migrations/Migration20261128080000_flows.js';
import { Migration20261128090000_agent_rollups } from './migrations/Migration20261128090000_agent_rollups.js';
import { Migration20261128100000_agent_panels } from './migrations/Migration20261128100000_agent_panels.js';
import { Migration20261129000000_session_temp_tables } from './migrations/Migration20261129000000_session_temp_tables.js';
import { Migration20261207100000_queue_thresholds } from './migrations/Migration20261207100000_queue_thresholds.js';
import { Migration20261207110000_counted_where_they_belong } from './migrations/Migration20261207110000_counted_where_they_belong.js';
import { Migration20261207120000_queue_exits } from './migrations/Migration20261207120000_queue_exits.js';
import { Migration20261207130000_local_intervals } from './migrations/Migration20261207130000_local_intervals.js';
import { Migration20261207140000_short_abandons } from './migrations/Migration20261207140000_short_abandons.js';
import { Migration20261207141000_abandon_stats } from './migrations/Migration20261207141000_abandon_stats.js';
import { Migration20261207142000_erlang_c } from './migrations/Migration20261207142000_erlang_c.js';
import { Migration20261207150000_live_notify } from './migrations/Migration20261207150000_live_notify.js';
import { Migration20261207150100_live_notify_calls } from './migrations/Migration20261207150100_live_notify_calls.js';
import { Migration20261207160000_privacy_retention } from './migrations/Migration20261207160000_privacy_retention.js';
import { Migration20261207170000_recording_tokens } from './migrations/Migration20261207170000_recording_tokens.js';
import { Migration20261207180000_call_wrap_up } from './migrations/Migration20261207180000_call_wrap_up.js';
import { Migration20261207190000_queue_setting_changes } from './migrations/Migration20261207190000_queue_setting_changes.js';
import { Migration20261207190100_site_zone_reader } from './migrations/Migration20261207190100_site_zone_reader.js';
import { Migration20261207190200_ring_outcomes } from './migrations/Migration20261207190200_ring_outcomes.js';
import { Migration20261207190300_faster_repeat_and_rings } from './migrations/Migration20261207190300_faster_repeat_and_rings.js';
import { Migration20261207193000_alert_views } from './migrations/Migration20261207193000_alert_views.js';
import { Migration20261207200000_call_talk_end } from './migrations/Migration20261207200000_call_talk_end.js';
import { Migration20261207210000_retention_run_tokens } from './migrations/Migration20261207210000_retention_run_tokens.js';
import { Migration20261207221500_survey_response } from './migrations/Migration20261207221500_survey_response.js';
import { Migration20261207230000_call_segments } from './migrations/Migration20261207230000_call_segments.js';
import { Migration20261207233000_call_explorer_talk } from './migrations/Migration20261207233000_call_explorer_talk.js';
import { Migration20261208000000_teams_service_levels } from './migrations/Migration20261208000000_teams_service_levels.js';
import { Migration20261208010000_local_series } from './migrations/Migration20261208010000_local_series.js';
import { Migration20261208020000_service_level_target } from './migrations/Migration20261208020000_service_level_target.js';
import { Migration20261208045000_callback_exit_entry } from './migrations/Migration20261208045000_callback_exit_entry.js';

export { MikroORM };

/** Migrations are listed explicitly so they load the same way under tsx, vitest and a bundled build. */
// Add new migrations at the end, one line each.
const migrationsList = [
  { name: 'Migration20261128000000_calls', class: Migration20261128000000_calls },
  { name: 'Migration20261128010000_agents', class: Migration20261128010000_agents },
  { name: 'Migration20261128020000_routing', class: Migration20261128020000_routing },
  { name: 'Migration20261128030000_metrics', class: Migration20261128030000_metrics },
  { name: 'Migration20261128040000_admin', class: Migration20261128040000_admin },
  { name: 'Migration20261128050000_recordings', class: Migration20261128050000_recordings },
  { name: 'Migration20261128060000_schedules', class: Migration20261128060000_schedules },
  { name: 'Migration20261128070000_rollups', class: Migration20261128070000_rollups },
  { name: 'Migration20261128080000_flows', class: Migration20261128080000_flows },
  { name: 'Migration20261128090000_agent_rollups', class: Migration20261128090000_agent_rollups },
  { name: 'Migration20261128100000_agent_panels', class: Migration20261128100000_agent_panels },
  { name: 'Migration20261129000000_session_temp_tables', class: Migration20261129000000_session_temp_tables },
  { name: 'Migration20261207100000_queue_thresholds', class: Migration20261207100000_queue_thresholds },
  {
    name: 'Migration20261207110000_counted_where_they_belong',
    class: Migration20261207110000_counted_where_they_belong,
  },
  { name: 'Migration20261207120000_queue_exits', class: Migration20261207120000_queue_exits },
  { name: 'Migration20261207130000_local_intervals', class: Migration20261207130000_local_intervals },
  { name: 'Migration20261207140000_short_abandons', class: Migration20261207140000_short_abandons },
  { name: 'Migration20261207141000_abandon_stats', class: Migration20261207141000_abandon_stats },
  { name: 'Migration20261207142000_erlang_c', class: Migration20261207142000_erlang_c },
  { name: 'Migration20261207150000_live_notify', class: Migration20261207150000_live_notify },
  { name: 'Migration20261207150100_live_notify_calls', class: Migration20261207150100_live_notify_calls },
  { name: 'Migration20261207160000_privacy_retention', class: Migration20261207160000_privacy_retention },
  { name: 'Migration20261207170000_recording_tokens', class: Migration20261207170000_recording_tokens },
  { name: 'Migration20261207180000_call_wrap_up', class: Migration20261207180000_call_wrap_up },
  { name: 'Migration20261207190000_queue_setting_changes', class: Migration20261207190000_queue_setting_changes },
  { name: 'Migration20261207190100_site_zone_reader', class: Migration20261207190100_site_zone_reader },
  { name: 'Migration20261207190200_ring_outcomes', class: Migration20261207190200_ring_outcomes },
  { name: 'Migration20261207190300_faster_repeat_and_rings', class: Migration20261207190300_faster_repeat_and_rings },
  { name: 'Migration20261207193000_alert_views', class: Migration20261207193000_alert_views },
  { name: 'Migration20261207200000_call_talk_end', class: Migration20261207200000_call_talk_end },
  { name: 'Migration20261207210000_retention_run_tokens', class: Migration20261207210000_retention_run_tokens },
  { name: 'Migration20261207221500_survey_response', class: Migration20261207221500_survey_response },
  { name: 'Migration20261207230000_call_segments', class: Migration20261207230000_call_segments },
  { name: 'Migration20261207233000_call_explorer_talk', class: Migration20261207233000_call_explorer_talk },
  { name: 'Migration20261208000000_teams_service_levels', class: Migration20261208000000_teams_service_levels },
  { name: 'Migration20261208010000_local_series', class: Migration20261208010000_local_series },
  { name: 'Migration20261208020000_service_level_target', class: Migration20261208020000_service_level_target },
  { name: 'Migration20261208045000_callback_exit_entry', class: Migration20261208045000_callback_exit_entry },
];

export function ormOptions(clientUrl: string): Options {
  return {
    clientUrl,
    entities: [
      CallSchema,
      CallEventSchema,
      AgentStateChangeSchema,
      AgentLiveSchema,
      QueueLiveSchema,
      AuditEntrySchema,
      WrapUpCodeSchema,
      ScheduleExceptionSchema,
    ],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, silent: true },
    pool: { min: 0, max: 10 },
    // Keep the pool from failing start-up when Postgres is briefly away; queries reconnect on their own.
    debug: false,
    allowGlobalContext: false,
  };
}

export async function openDatabase(clientUrl: string): Promise<MikroORM> {
  return MikroORM.init(ormOptions(clientUrl));
}

/** Bring the schema up to date; returns the names of the migrations that ran. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

export async function isDatabaseUp(orm: MikroORM): Promise<boolean> {
  try {
    await orm.em.getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}
