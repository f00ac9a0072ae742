import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { base, Layout, link, queueVariable, QUEUES, RANGE, statPanel, tablePanel } from './panels.js';

/** Callbacks and voicemails over the time range, for the queues in $queue. */
export function voicemailCallbacks(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-voicemail-callbacks', 'Switchboard · Voicemail and callbacks')
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(queueVariable());
  const cb = (col: string) => `select ${col} from metrics.callback_stats(${RANGE}, ${QUEUES})`;
  d.withPanel(l.place(statPanel('Callbacks requested', cb('requested')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks completed', cb('completed')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks failed', cb('failed')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks pending', cb('pending')), 4, 4));
  d.withPanel(
    l.place(statPanel('Voicemails', `select voicemails from metrics.voicemail_stats(${RANGE}, ${QUEUES})`), 4, 4),
  );
  d.withPanel(
    l.place(
      statPanel('Voicemails not handled', `select unhandled from metrics.voicemail_stats(${RANGE}, ${QUEUES})`),
      4,
      4,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Callback list',
        `select requested_at, queue, number, status, attempts, completed_at, agent_id, call_id
         from metrics.callback_list
         where $__timeFilter(requested_at) and (cardinality(${QUEUES}) = 0 or queue = any (${QUEUES}))
         order by requested_at desc limit 500`,
      ),
      12,
      10,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Voicemail list',
        `select recorded_at, queue, from_id, from_name, duration_seconds, recording_url, handled_at, handled_by, call_id
         from metrics.voicemail_list
         where $__timeFilter(recorded_at) and (cardinality(${QUEUES}) = 0 or queue = any (${QUEUES}))
         order by recorded_at desc limit 500`,
      ).overrideByName('recording_url', [
        { id: 'links', value: [link('Listen', '${__value.raw}').targetBlank(true).build()] },
      ]),
      12,
      10,
    ),
  );
  return d.build();
}
