import {
  ConstantVariableBuilder,
  TextBoxVariableBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { base, Layout, link, tablePanel } from './panels.js';

/** Calls by caller or number, and one call's path, with links to its workflow and recording. */
export function callExplorer(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-calls', 'Switchboard · Call explorer')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(new TextBoxVariableBuilder('caller').label('Caller or number').defaultValue(''))
    .withVariable(new TextBoxVariableBuilder('call').label('Call id').defaultValue(''))
    .withVariable(new ConstantVariableBuilder('temporal_ui').value('http://localhost:8080'));
  d.withPanel(
    l.place(
      tablePanel(
        'Calls',
        `select id, workflow_id, from_id, from_name, to_id, queue, agent_id, outcome, arrived_at, wait_seconds, total_wait_seconds,
           recording_url
         from metrics.call_explorer
         where $__timeFilter(arrived_at)
           and (\${caller:sqlstring} = '' or from_id ilike '%' || \${caller:sqlstring} || '%'
                or from_name ilike '%' || \${caller:sqlstring} || '%')
         order by arrived_at desc
         limit 500`,
      )
        .overrideByName('id', [
          {
            id: 'links',
            value: [
              link('Show this call’s path', '/d/switchboard-calls?var-call=${__value.raw}&${__url_time_range}').build(),
            ],
          },
        ])
        .overrideByName('workflow_id', [
          {
            id: 'links',
            value: [
              link('Temporal workflow', '${temporal_ui}/namespaces/default/workflows/${__value.raw}')
                .targetBlank(true)
                .build(),
            ],
          },
        ])
        .overrideByName('recording_url', [
          { id: 'links', value: [link('Recording', '${__value.raw}').targetBlank(true).build()] },
        ])
        .overrideByName('wait_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('total_wait_seconds', [{ id: 'unit', value: 's' }]),
      24,
      12,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Call path',
        `select seq, type, at, payload::text as payload from metrics.call_path where call_id = \${call:sqlstring} order by seq`,
      ),
      24,
      10,
    ),
  );
  return d.build();
}
