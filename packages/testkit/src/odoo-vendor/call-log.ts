/** One request as it reached the emulated Odoo vendor API. */
export interface OdooVendorCall {
  /** Arrival time, ms since the epoch with sub-millisecond precision (monotonic within a run). */
  at: number;
  method: string;
  path: string;
  /** `read`, `create`, `update`, or `unknown` for any other path. */
  operation: OdooVendorOperation;
  partnerId: string | null;
  defaultCode: string | null;
  /** Raw `Authorization` header ('' when absent). */
  authorization: string;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** HTTP status answered (0 while the answer is still pending). */
  status: number;
}

export type OdooVendorOperation = 'read' | 'create' | 'update' | 'unknown';

/** The busiest window of `windowMs`: how many calls arrived in it and when it started. */
export interface BusiestWindow {
  count: number;
  from: number | null;
}

/** Wall-clock time with sub-millisecond resolution that never goes backwards during a run. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The most calls that arrived within any half-open window `[t, t + windowMs)`, over arrival times
 * in any order. A sliding window, not calendar seconds: 20 calls at 0.9 s and 20 more at 1.1 s
 * make a window of 40.
 */
export function busiestWindow(arrivals: readonly number[], windowMs = 1000): BusiestWindow {
  const times = [...arrivals].sort((a, b) => a - b);
  let best: BusiestWindow = { count: 0, from: null };
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    const count = end - start + 1;
    if (count > best.count) best = { count, from: times[start]! };
  }
  return best;
}

/** Calls per calendar second (epoch seconds), for printing a rate profile. */
export function callsPerSecond(arrivals: readonly number[]): { second: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const at of arrivals) {
    const second = Math.floor(at / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => a - b).map(([second, count]) => ({ second, count }));
}
