import { at, type CallRow } from './fixture-call.js';

/**
 * The fixture's clocks (issue 27, points 5 and 7): a non-UTC site and a queue on its own clock with a daylight-saving
 * day. Every call here lies outside the fixture's UTC day (2026-11-20), so no figure of that day changes; they show
 * only where a panel reads the configured zone: the wallboard's "today", "Queues now", the interval report and the
 * $zone variable. Expected figures (fixture-expected.ts, `today` and `zones`) worked out here by hand.
 *
 * The site is in India (SITE_TIME_ZONE Asia/Kolkata, UTC+05:30, no daylight saving): its day 2026-11-20 runs from
 * 2026-11-19 18:30Z to 2026-11-20 18:30Z, and its hours start at :30 UTC. Support has no zone of its own (the site's);
 * sales keeps New York's (America/New_York). So $zone with both queues selected is the site's (different clocks),
 * with sales alone America/New_York, with support alone Asia/Kolkata.
 *
 * Non-UTC site: two support calls either side of India's midnight, each answered after 10 s (within support's 30 s):
 *   K1 queued 2026-11-19 18:20Z = 23:50 IST on 19 Nov: yesterday in India (and in UTC);
 *   K2 queued 2026-11-19 18:40Z = 00:10 IST on 20 Nov: today in India, yesterday in UTC.
 * The wallboard at FIXTURE_NOW (12:00Z, 17:30 IST) counts today from 18:30Z on the 19th: the UTC day's figures up to
 * now (every queued call of the fixture is before 12:00Z) plus K2: answered 69 + 1 = 70, within 53 + 1 = 54, abandoned
 * 21, queued 100 + 1 = 101 → SL1 54/70, SL2 54/(70 + 21) = 54/91, abandonment 21/101. "Queues now" takes each queue's
 * own today: sales from New York's midnight (05:00Z EST), so its day's figures, SL1 35/40 and abandonment 13/57;
 * support from India's, with K2: SL1 (18 + 1)/(29 + 1) = 19/30, abandonment 8/(43 + 1) = 8/44.
 * Hourly intervals in India over 11:00Z–12:00Z (the overflow chains, short abandons and time-outs, fixture.ts): the
 * 16:00 IST hour (10:30Z) holds support's 3 chain segments (11:00:08, 11:05:08, 11:10:08: queued, neither answered nor
 * abandoned) and sales' 3 chain abandons (11:00:13–11:10:13); the 17:00 IST hour (11:30Z) sales' time-out at 11:30:08,
 * its short abandons at 11:40:08 and 11:45:08 and its second time-out at 11:50:08: 4 queued, none answered or
 * abandoned. UTC hours would put all of sales' 7 in one 11:00Z row.
 *
 * Daylight-saving day: New York's clocks go back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST, so that local day
 * runs 25 hours, from 04:00Z (00:00 EDT) to 05:00Z on 2 Nov (00:00 EST), and 01:00–02:00 happens twice. Seven sales
 * calls (threshold 20 s then: before the 10:15 change of 20 Nov; formula abandons_within_met):
 *   N1 03:50Z = 23:50 EDT 31 Oct   answered after 10 s
 *   N2 04:10Z = 00:10 EDT           answered after 10 s
 *   N3 05:30Z = 01:30 EDT           answered after 30 s (over 20 s)
 *   N4 06:30Z = 01:30 EST           answered after 10 s
 *   N5 06:45Z = 01:45 EST           abandoned after 30 s (over 20 s, not short)
 *   N6 04:30Z 2 Nov = 23:30 EST 1 Nov answered after 10 s
 *   N7 05:10Z 2 Nov = 00:10 EST 2 Nov answered after 10 s
 * Hours (queued, answered, within, abandoned): 23:00 EDT 31 Oct (03:00Z) N1 1/1/1/0; 00:00 EDT (04:00Z) N2 1/1/1/0;
 * 01:00 EDT (05:00Z) N3 1/1/0/0; 01:00 EST (06:00Z) N4, N5 2/1/1/1; 23:00 EST (04:00Z 2 Nov) N6 1/1/1/0; 00:00 EST
 * 2 Nov (05:00Z) N7 1/1/1/0. Days: 31 Oct (from 04:00Z on the 31st) N1 1/1/1/0; 1 Nov (from 04:00Z, 25 h) N2–N6
 * 5/4/3/1; 2 Nov (from 05:00Z) N7 1/1/1/0. (UTC days would say 1 Nov N1–N5, 2 Nov N6, N7.)
 * Sales over New York's 1 Nov by its formula: (3 within + 0 abandons within) ÷ (4 answered + 1 abandoned) = 3/5.
 */
export const SITE_TIME_ZONE = 'Asia/Kolkata';
export const SALES_TIME_ZONE = 'America/New_York';

/** New York's 1 November 2026, the 25-hour day: from 00:00 EDT to 00:00 EST on 2 November. */
export const FALL_BACK_DAY = { from: new Date('2026-11-01T04:00:00Z'), to: new Date('2026-11-02T05:00:00Z') };

/** Queue, queued at, wait, answered (else abandoned at the end of the wait). */
const ZONE_CALLS: [string, string, number, boolean][] = [
  ['support', '2026-11-19T18:20:00Z', 10, true], // K1
  ['support', '2026-11-19T18:40:00Z', 10, true], // K2
  ['sales', '2026-11-01T03:50:00Z', 10, true], // N1
  ['sales', '2026-11-01T04:10:00Z', 10, true], // N2
  ['sales', '2026-11-01T05:30:00Z', 30, true], // N3
  ['sales', '2026-11-01T06:30:00Z', 10, true], // N4
  ['sales', '2026-11-01T06:45:00Z', 30, false], // N5
  ['sales', '2026-11-02T04:30:00Z', 10, true], // N6
  ['sales', '2026-11-02T05:10:00Z', 10, true], // N7
];

/**
 * The calls above, each with the next id and number of the fixture (`next`), arriving 8 s before it queued. Nobody
 * in these rows calls twice, so the repeat-caller figures are unchanged.
 */
export function zoneCalls(next: () => { id: string; n: number }): CallRow[] {
  return ZONE_CALLS.map(([queue, queuedAt, wait, answered]) => {
    const { id, n } = next();
    const queued = new Date(queuedAt);
    return {
      id,
      line: '+14255550000',
      queue,
      from: `+1425555${String(n).padStart(4, '0')}`,
      name: `Caller ${n}`,
      outcome: answered ? 'connected' : 'abandoned',
      arrived: at(queued, -8),
      queued,
      connected: answered ? at(queued, wait) : null,
      ended: at(queued, answered ? wait + 120 : wait),
      wait,
      agent: null,
    };
  });
}
