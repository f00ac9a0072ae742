/**
 * The known answers of the analytics fixture (fixture.ts, whose comment works each one out by hand from the
 * dataset's design). The tests compare every panel with these, never with a figure computed by the SQL under test.
 */
export const EXPECTED = {
  all: { queued: 90 + 3 + 3 + 1 + 2 + 1, answered: 69, answeredWithin: 53, abandoned: 18 + 3, callbacks: 8 },
  sales: {
    queued: 50 + 3 + 1 + 2 + 1,
    shortAbandons: 2,
    answered: 40,
    answeredWithin: 35,
    abandoned: 10 + 3,
    sl1: 35 / 40,
    sl2: 35 / 53,
    asa: (30 * 10 + 10 * 40) / 40,
    abandonment: 13 / 57,
    aht: 210,
  },
  support: {
    queued: 40 + 3,
    answered: 24 + 5,
    answeredWithin: 18,
    abandoned: 8,
    sl1: 18 / 29,
    sl2: 18 / (29 + 8),
    asa: (18 * 25 + 6 * 60 + 5 * 50) / 29,
    abandonment: 8 / 43,
    aht: 360,
  },
  totals: {
    sl1: 53 / 69,
    sl2: 53 / (69 + 21),
    asa: (30 * 10 + 10 * 40 + 18 * 25 + 6 * 60 + 5 * 50) / 69,
    abandonment: 21 / 100,
    aht: (40 * 210 + 24 * 360) / 64,
    callsArrived: 64 + 10 + 8 + 8 + 4 + 3 + 1 + 2 + 1,
    /** The timed-out sales call's 120 s. */
    maxWait: 120,
    /** Every call stored, the day's and the nine of the clocks' cases (fixture-zones.ts) outside it. */
    callsStored: 64 + 10 + 8 + 8 + 4 + 3 + 1 + 2 + 1 + 2 + 7,
  },
  agents: {
    s1: { handled: 20, aht: 210, occupancy: (20 * 210) / (20 * 210 + 20 * (60 + 5) + 2 * (60 + 15)), missed: 2 },
    s2: { handled: 20, aht: 210, occupancy: (20 * 210) / (20 * 210 + 20 * (90 + 5)), missed: 0 },
    t1: { handled: 12, aht: 360, occupancy: (12 * 360) / (12 * 360 + 12 * (40 + 5) + (30 + 10)), missed: 0 },
    t2: { handled: 12, aht: 360, occupancy: (12 * 360) / (12 * 360 + 12 * (120 + 5)), missed: 0 },
  },
  occupancyAll: (40 * 210 + 24 * 360) / (40 * 210 + 24 * 360 + 20 * 65 + 2 * 75 + 20 * 95 + 12 * 45 + 40 + 12 * 125),
  /** Per queue, by when the caller left it (metrics.flow_out). */
  flowOut: [
    { queue: 'sales', overflowed: 0, timedOut: 2, noAgents: 0, sentOn: 0, received: 3 },
    { queue: 'support', overflowed: 3, timedOut: 0, noAgents: 0, sentOn: 3, received: 0 },
  ],
  /** An overflow chain's caller waited 5 s in support and 20 s in sales. */
  chainTotalWait: 25,
  /** metrics.queue_service_level: each queue by its own formula (sales: abandons within the threshold met). */
  serviceLevelByFormula: [
    {
      queue: 'sales',
      formula: 'abandons_within_met',
      answered: 40,
      answeredWithin: 35,
      abandoned: 13,
      abandonedWithin: 3,
      shortAbandons: 2,
      offered: 57 - 2,
      serviceLevel: (35 + 3) / 53,
    },
    {
      queue: 'support',
      formula: 'answered_abandoned',
      answered: 29,
      answeredWithin: 18,
      abandoned: 8,
      abandonedWithin: 0,
      shortAbandons: 0,
      offered: 40,
      serviceLevel: 18 / 37,
    },
  ],
  /** metrics.repeat_callers over the day: calls with a caller, and those followed by another within 24 h / 7 days. */
  repeatCallers: [
    { queue: 'sales', calls: 57, repeated24h: 3, repeated7d: 3 },
    { queue: 'support', calls: 40, repeated24h: 0, repeated7d: 0 },
    { queue: null, calls: 4, repeated24h: 0, repeated7d: 0 },
  ],
  /** Agent performance's calls handled: agent onCall intervals (callbacks have none in the fixture). */
  handled: 64,
  callbacks: {
    requested: 8,
    completed: 5,
    failed: 2,
    pending: 1,
    timeToCallback: 600,
    attemptsPerCompleted: (1 + 2 + 1 + 3 + 1) / 5,
  },
  /** Every message has no queue: All shows them, a queue selection does not. */
  voicemails: { total: 4, unhandled: 1, recorded: 2, empty: 1, failed: 1 },
  voicemailLines: [
    { line: '+14255550100', voicemails: 2, unhandled: 1, empty: 0, failed: 0 },
    { line: '+14255550200', voicemails: 2, unhandled: 0, empty: 1, failed: 1 },
  ],
  /**
   * Now: sales holds 3 callers (the longest for 95 s); support holds 1 call, its pending callback, which keeps the
   * caller's place in the queue: 3 on hold, 1 callback pending.
   */
  /**
   * The wallboard's "today" at FIXTURE_NOW in the site's zone (India): the day's calls so far plus K2, queued at 00:10
   * IST (fixture-zones.ts). "Queues now": sales from New York's midnight, support from India's (with K2).
   */
  today: {
    answered: 69 + 1,
    sl1: (53 + 1) / (69 + 1),
    sl2: (53 + 1) / (69 + 1 + 21),
    abandonment: 21 / (100 + 1),
    sales: { sl1: 35 / 40, abandonment: 13 / 57 },
    support: { sl1: (18 + 1) / (29 + 1), abandonment: 8 / (43 + 1) },
  },
  /** The configured clocks (fixture-zones.ts): $zone by selection, India's hours, New York's fall-back day. */
  zones: {
    all: 'Asia/Kolkata',
    sales: 'America/New_York',
    support: 'Asia/Kolkata',
    /** Hourly intervals in India over 11:00Z–12:00Z: [start, queue, queued, answered, within, abandoned]. */
    indiaHours: [
      ['2026-11-20T10:30:00.000Z', 'sales', 3, 0, 0, 3],
      ['2026-11-20T10:30:00.000Z', 'support', 3, 0, 0, 0],
      ['2026-11-20T11:30:00.000Z', 'sales', 4, 0, 0, 0],
    ],
    /** Sales' hours in New York around 1 November 2026 (01:00 twice). */
    fallBackHours: [
      ['2026-11-01T03:00:00.000Z', 'sales', 1, 1, 1, 0],
      ['2026-11-01T04:00:00.000Z', 'sales', 1, 1, 1, 0],
      ['2026-11-01T05:00:00.000Z', 'sales', 1, 1, 0, 0],
      ['2026-11-01T06:00:00.000Z', 'sales', 2, 1, 1, 1],
      ['2026-11-02T04:00:00.000Z', 'sales', 1, 1, 1, 0],
      ['2026-11-02T05:00:00.000Z', 'sales', 1, 1, 1, 0],
    ],
    /** Sales' days in New York: 31 October, the 25-hour 1 November, 2 November. */
    fallBackDays: [
      ['2026-10-31T04:00:00.000Z', 'sales', 1, 1, 1, 0],
      ['2026-11-01T04:00:00.000Z', 'sales', 5, 4, 3, 1],
      ['2026-11-02T05:00:00.000Z', 'sales', 1, 1, 1, 0],
    ],
    /** Sales over New York's 1 November by its formula (abandons within the threshold met). */
    fallBackDayServiceLevel: 3 / 5,
  },
  live: {
    salesWaiting: 3,
    salesLongestWait: 95,
    supportWaiting: 1,
    onHold: 3,
    callbacksPending: 1,
    available: 2,
    onCall: 1,
    wrapUp: 1,
    away: 1,
  },
} as const;
