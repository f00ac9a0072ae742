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
  d.withPanel(
    l.place(statPanel('Callbacks completed', cb('completed'), 'short', 'Completed callbacks count as answered.'), 4, 4),
  );
  d.withPanel(l.place(statPanel('Callbacks failed', cb('failed')), 4, 4));
  d.withPanel(l.place(statPanel('Callbacks pending', cb('pending')), 4, 4));
  d.withPanel(
    l.place(
      statPanel(
        'Time to callback',
        cb('time_to_callback_seconds'),
        's',
        'Mean time from the callback request to the completed callback.',
      )
        .decimals(0)
        .noValue('no data'),
      4,
      4,
    ),
  );
  d.withPanel(
    l.place(
      statPanel('Attempts per completed callback', cb('attempts_per_completed'), 'short')
        .decimals(2)
        .noValue('no data'),
      4,
      4,
    ),
  );
  // Messages without a queue (after hours) count under All: metrics.in_queues.
  const vm = (col: string) => `select ${col} from metrics.voicemail_stats(${RANGE}, ${QUEUES})`;
  d.withPanel(
    l.place(statPanel('Voicemails', vm('voicemails'), 'short', 'Every message: recorded, empty or failed.'), 6, 4),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Voicemails waiting to be handled',
        vm('unhandled'),
        'short',
        'Recorded messages nobody has handled yet.',
      ),
      6,
      4,
    ),
  );
  d.withPanel(
    l.place(statPanel('Empty voicemails', vm('empty'), 'short', 'The caller said nothing: nothing to handle.'), 6, 4),
  );
  d.withPanel(
    l.place(
      statPanel('Failed voicemails', vm('failed'), 'short', 'No recording could be kept (see the call path).'),
      6,
      4,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Voicemails by line',
        `select line, voicemails, unhandled, empty, failed from metrics.voicemail_by_line(${RANGE}, ${QUEUES}) order by line`,
      ).description('Per number callers dialled (the resource account), with or without a queue.'),
      24,
      6,
    ),
  );
  d.withPanel(
    l.place(
      tablePanel(
        'Callback list',
        `select requested_at, queue, number, status, attempts, completed_at, agent_id, call_id
         from metrics.callback_list
         where $__timeFilter(requested_at) and metrics.in_queues(queue, ${QUEUES})
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
        `select recorded_at, line, queue, box, status, from_id, from_name, duration_seconds, recording_url, handled_at,
           handled_by, call_id
         from metrics.voicemail_list
         where $__timeFilter(recorded_at) and metrics.in_queues(queue, ${QUEUES})
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
