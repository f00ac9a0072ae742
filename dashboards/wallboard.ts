import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { ABANDON, base, Layout, percentStat, SL1, SL2, statPanel, tablePanel } from './panels.js';

/**
 * "Today" is the contact center's, never the browser's: from local midnight in the site's time zone
 * (SITE_TIME_ZONE, metrics.site_time_zone()) until now; each queue in "Queues now" from midnight in its own zone.
 */
const TODAY = `metrics.local_day_start($__timeTo(), metrics.site_time_zone()), $__timeTo()`;

/** Live: waiting now, longest wait, agents by state; today: service level and abandonment. */
export function wallboard(): Dashboard {
  const l = new Layout();
  const d = base('switchboard-wallboard', 'Switchboard · Wallboard')
    .refresh('5s')
    .time({ from: 'now/d', to: 'now' })
    .description(
      "Live: waiting now, longest wait, agents by state; today (from midnight in the contact center's time zone, not the browser's): service level and abandonment.",
    );
  d.withPanel(
    l.place(
      statPanel(
        'Waiting now',
        `select coalesce(sum(on_hold), 0) as on_hold from metrics.waiting_now($__timeTo())`,
        'short',
        'Callers on hold in a queue now (callbacks pending are apart).',
      ),
      4,
      5,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Callbacks pending',
        `select coalesce(sum(callbacks_pending), 0) as callbacks_pending from metrics.waiting_now($__timeTo())`,
        'short',
        'Callers who asked to be called back and keep their place in a queue.',
      ),
      4,
      5,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Longest current wait',
        `select coalesce(max(longest_wait_seconds), 0) as longest_wait from metrics.queue_now($__timeTo())`,
        's',
      ).thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: 20, color: 'orange' },
          { value: 60, color: 'red' },
        ]),
      ),
      4,
      5,
    ),
  );
  for (const [title, state] of [
    ['Agents available', 'available'],
    ['Agents on call', 'onCall'],
    ['Agents in wrap-up', 'wrapUp'],
    ['Agents away', 'away'],
  ] as const) {
    d.withPanel(l.place(statPanel(title, `select agents from metrics.agents_now where state = '${state}'`), 3, 5));
  }
  d.withPanel(
    l.place(
      percentStat(
        'Service level today (SL1)',
        `select service_level from metrics.queue_totals(${TODAY}, null)`,
        SL1,
        0.8,
      ),
      6,
      5,
    ),
  );
  d.withPanel(
    l.place(
      percentStat(
        'Service level today (SL2)',
        `select service_level_abandoned from metrics.queue_totals(${TODAY}, null)`,
        SL2,
        0.8,
      ),
      6,
      5,
    ),
  );
  d.withPanel(
    l.place(
      statPanel(
        'Abandonment today',
        `select abandonment_rate from metrics.queue_totals(${TODAY}, null)`,
        'percentunit',
        ABANDON,
      )
        .decimals(1)
        .noValue('no data'),
      6,
      5,
    ),
  );
  d.withPanel(l.place(statPanel('Answered today', `select answered from metrics.queue_totals(${TODAY}, null)`), 6, 5));
  d.withPanel(
    l.place(
      tablePanel(
        'Queues now',
        `select n.queue, n.waiting, w.on_hold, w.callbacks_pending, n.longest_wait_seconds, n.agents_available, n.agents_on_call, n.agents_wrap_up, n.agents_away,
           s.service_level as service_level_today, s.abandonment_rate as abandonment_today
         from metrics.queue_now($__timeTo()) n
         left join metrics.waiting_now($__timeTo()) w on w.queue = n.queue
         left join metrics.queue_zone z on z.queue = n.queue
         left join lateral metrics.queue_stats(
           metrics.local_day_start($__timeTo(), coalesce(z.time_zone, metrics.site_time_zone())), $__timeTo(), 0,
           array[n.queue]::text[]) s on true
         order by n.queue`,
      )
        .overrideByName('longest_wait_seconds', [{ id: 'unit', value: 's' }])
        .overrideByName('service_level_today', [{ id: 'unit', value: 'percentunit' }])
        .overrideByName('abandonment_today', [{ id: 'unit', value: 'percentunit' }]),
      24,
      8,
    ),
  );
  return d.build();
}
