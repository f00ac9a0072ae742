import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';

// Issue 27, point 6: Erlang C staffing (metrics.erlang_c_*), as the read-only role. The worked example of Call
// Centre Helper's "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls per half hour, AHT 180 s,
// 80 % of calls answered within 20 s → traffic 200 calls/h × 3 min = 10 Erlangs; the probability a call waits and
// the service level per number of agents below are Erlang C's (computed independently of this SQL, with the
// factorial form of the formula): 11 agents 68.21 % wait, 39.0 % SL; 12: 44.94 %, 64.0 %; 13: 28.53 %, 79.6 %;
// 14: 17.41 %, 88.8 %. So 14 agents (before shrinkage), since 13 fall just short of 80 %.

let adb: AnalyticsDatabase;

beforeAll(async () => {
  adb = await startAnalyticsDatabase('erlang-c');
});

afterAll(async () => {
  await adb?.stop();
});

const one = async (sql: string, params: unknown[]) => Object.values((await adb.asReader(sql, params))[0]!)[0];

describe('Erlang C staffing (issue 27, point 6)', () => {
  it('gives the worked example’s wait probabilities and service levels per number of agents', async () => {
    for (const [agents, wait, sl] of [
      [11, 0.6821, 0.3896],
      [12, 0.4494, 0.6402],
      [13, 0.2853, 0.7956],
      [14, 0.1741, 0.8884],
    ] as const) {
      expect(await one(`select metrics.erlang_c_wait_probability(10, $1)`, [agents])).toBeCloseTo(wait, 4);
      expect(await one(`select metrics.erlang_c_service_level(10, $1, 20, 180)`, [agents])).toBeCloseTo(sl, 4);
    }
  });

  it('matches exact values of the factorial form, worked out by hand', async () => {
    // C(N, A) = (A^N/N! · N/(N − A)) ÷ (Σ_{k<N} A^k/k! + A^N/N! · N/(N − A)), independent of the SQL's Erlang B
    // recursion. N = 1: C = A. N = 2, A = 1: (1/2 · 2) ÷ (1 + 1 + 1) = 1/3. N = 3, A = 2 (Wolfram's ErlangC[3, 2]):
    // (8/6 · 3) ÷ (1 + 2 + 2 + 4) = 4/9. N = 4, A = 3: (81/24 · 4) ÷ (1 + 3 + 9/2 + 9/2 + 27/2) = 27/53.
    for (const [erlangs, agents, wait] of [
      [0.5, 1, 1 / 2],
      [1, 2, 1 / 3],
      [2, 3, 4 / 9],
      [3, 4, 27 / 53],
    ] as const) {
      expect(await one(`select metrics.erlang_c_wait_probability($1, $2)`, [erlangs, agents])).toBeCloseTo(wait, 12);
    }
    // Service level 1 − C · e^(−(N − A) · t ÷ AHT): N = 3, A = 2, threshold = AHT = 180 s → 1 − (4/9)·e^(−1).
    expect(await one(`select metrics.erlang_c_service_level(2, 3, 180, 180)`, [])).toBeCloseTo(
      1 - (4 / 9) * Math.exp(-1),
      12,
    );
  });

  it('needs 14 agents for 100 calls per half hour at 180 s AHT and 80/20; more for a shorter threshold', async () => {
    expect(await one(`select metrics.erlang_c_agents(100, 1800, 180, 0.8, 20)`, [])).toBe(14);
    // The same traffic at 90/20 needs 15 (SL 88.8 % at 14).
    expect(await one(`select metrics.erlang_c_agents(100, 1800, 180, 0.9, 20)`, [])).toBe(15);
    // No calls, no agents; hundreds of Erlangs without overflow.
    expect(await one(`select metrics.erlang_c_agents(0, 1800, 180, 0.8, 20)`, [])).toBe(0);
    expect(Number(await one(`select metrics.erlang_c_agents(6000, 1800, 180, 0.8, 20)`, []))).toBeGreaterThan(600);
  });

  it('refuses a target outside (0, 1) with a clear message', async () => {
    await expect(one(`select metrics.erlang_c_agents(100, 1800, 180, 80, 20)`, [])).rejects.toThrow(
      'erlang_c_agents: the target service level must be between 0 and 1, got 80',
    );
  });
});
