/**
 * The one result-code table (src/contracts/graph-result-codes.ts), a test per row: how each documented code/subcode
 * pair Graph ends a ring with counts for the agent rung (issue 21, point 3). busy rests the agent; declined and not
 * answered are misses; unreachable, failures and unknown codes are never the agent's miss.
 */
import { describe, expect, it } from 'vitest';
import { RESULT_CODES, classifyRingEnd } from '../../src/contracts/graph-result-codes.js';

// Written out by hand (not derived from the table), so that a changed row fails here.
const EXPECTED: [code: number, subcode: number, end: string, effect: string][] = [
  [486, 0, 'busy', 'rest'],
  [486, 560486, 'busy', 'rest'],
  [600, 0, 'busy', 'rest'],
  [603, 0, 'declined', 'miss'],
  [408, 10057, 'notAnswered', 'miss'],
  [408, 560408, 'notAnswered', 'miss'],
  [480, 10037, 'unreachable', 'notTheirs'],
  [480, 10076, 'unreachable', 'notTheirs'],
  [480, 10134, 'unreachable', 'notTheirs'],
  [480, 10199, 'unreachable', 'notTheirs'],
  [480, 0, 'unreachable', 'notTheirs'],
  [408, 8544, 'unreachable', 'notTheirs'],
  [400, 8541, 'unreachable', 'notTheirs'],
  [408, 1106, 'failed', 'notTheirs'],
  [408, 8537, 'failed', 'notTheirs'],
  [410, 301005, 'failed', 'notTheirs'],
  [500, 1005, 'failed', 'notTheirs'],
];

describe('Graph result codes for a ring, one table', () => {
  for (const [code, subcode, end, effect] of EXPECTED) {
    it(`${code}/${subcode} is ${end}: ${effect}`, () => {
      const reading = classifyRingEnd({ code, subcode });
      expect(reading).toMatchObject({ end, effect, code, subcode });
      expect(reading.row?.source).toMatch(/call-delete\.md|ACS codes|SIP codes|real capture/);
    });
  }

  it('every row of the table is covered above', () => {
    for (const row of RESULT_CODES) {
      const covered = EXPECTED.some(([c, s]) => c === row.code && (row.subcode === undefined || s === row.subcode));
      expect(covered, `${row.code}/${row.subcode ?? '*'} (${row.meaning})`).toBe(true);
    }
  });

  it('a code the table lacks is unknown and never the agent’s miss, and keeps its code', () => {
    expect(classifyRingEnd({ code: 499, subcode: 12345 })).toEqual({
      end: 'unknown',
      effect: 'notTheirs',
      code: 499,
      subcode: 12345,
    });
    // 408 with a subcode Graph does not document for a ring (the "Establishment timeout" 408/0) is not a miss either.
    expect(classifyRingEnd({ code: 408, subcode: 0 })).toMatchObject({ end: 'unknown', effect: 'notTheirs' });
  });

  it('no resultInfo at all is unknown, not a miss', () => {
    expect(classifyRingEnd(undefined)).toEqual({ end: 'unknown', effect: 'notTheirs' });
  });
});
