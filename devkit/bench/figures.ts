/** The bench's arithmetic: percentiles, rounding, and the completion rate of a phase. */

/** The p-th percentile (nearest rank) of `xs`; 0 for none. */
export const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

/** One decimal. */
export const round = (x: number): number => Math.round(x * 10) / 10;

/**
 * Call lifecycles (not failed) completed per second while completions were coming in: from the first completion to the last, so
 * the ramp-up (the first call's own duration) and the arrival schedule don't count. A run that keeps up with its
 * arrivals completes at the arrival rate; one that falls behind completes slower.
 */
export function completionRate(at: number[], startedAt: number): number {
  if (at.length === 0) return 0;
  const sorted = [...at].sort((a, b) => a - b);
  const window = (sorted[sorted.length - 1]! - sorted[0]!) / 1000;
  return window > 0 ? (sorted.length - 1) / window : sorted.length / Math.max(0.001, (sorted[0]! - startedAt) / 1000);
}
