import {
  ConstantVariableBuilder,
  TextBoxVariableBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { base, Layout, link, tablePanel } from './panels.js';

/**
 * A visibility query for the Temporal UI's `query` parameter, percent-encoded but for the Grafana variable in it
 * (`${__value.raw}`, which Grafana fills in as it is: workflow ids and queue names are URL-safe).
 */
function temporalQuery(query: string): string {
  return encodeURIComponent(query).replace(/%24%7B__value\.raw%7D/g, '${__value.raw}');
}

/** Calls by caller or number, and one call's path, with links to its workflow and recording. */
export function callExplorer(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-calls', 'Switchboard · Call explorer')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(new TextBoxVariableBuilder('caller').label('Caller or number').defaultValue(''))
    .withVariable(new TextBoxVariableBuilder('call').label('Call id').defaultValue(''))
    .withVariable(new ConstantVariableBuilder('temporal_ui').value('http://localhost:8080'))
    // TEMPORAL_NAMESPACE's default; a deployment on another namespace changes this constant, not the links.
    .withVariable(new ConstantVariableBuilder('temporal_namespace').value('default'));
  d.withPanel(
    l.place(
      tablePanel(
        'Calls',
        `select id, workflow_id, from_id, from_name, to_id, queue, agent_id, outcome, arrived_at, wait_seconds, total_wait_seconds,
           connected_by, talk_seconds, talk_ended_by, recording_url
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
              // The Temporal UI's workflow list filtered by a visibility query (its `query` parameter): this call's
              // workflow, every run of it.
              link(
                'This call in Temporal',
                `\${temporal_ui}/namespaces/\${temporal_namespace}/workflows?query=${temporalQuery("WorkflowId = '${__value.raw}'")}`,
              )
                .targetBlank(true)
                .build(),
            ],
          },
        ])
        .overrideByName('queue', [
          {
            id: 'links',
            value: [
              // The call's search attributes (src/contracts/search-attributes.ts): Queue and Outcome filter in Temporal.
              link(
                'This queue’s calls in Temporal',
                `\${temporal_ui}/namespaces/\${temporal_namespace}/workflows?query=${temporalQuery("Queue = '${__value.raw}'")}`,
              )
                .targetBlank(true)
                .build(),
              link(
                'This queue’s abandoned calls in Temporal',
                `\${temporal_ui}/namespaces/\${temporal_namespace}/workflows?query=${temporalQuery("Queue = '${__value.raw}' AND Outcome = 'abandoned'")}`,
              )
                .targetBlank(true)
                .build(),
            ],
          },
        ])
        .overrideByName('recording_url', [
          { id: 'links', value: [link('Recording', '${__value.raw}').targetBlank(true).build()] },
        ])
        .overrideByName('wait_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('total_wait_seconds', [{ id: 'unit', value: 's' }])
        // Exact for calls put through by conference (Graph's roster); empty after a transfer, which Switchboard left.
        .overrideByName('talk_seconds', [{ id: 'unit', value: 's' }]),
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
