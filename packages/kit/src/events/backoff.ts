/** Default redelivery delays for a failing handler: grows, then stays at the last step. */
export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000];

/** Delay before attempt `attempt + 1`, given that attempt `attempt` (1-based) just failed. */
export function backoffDelay(attempt: number, schedule: readonly number[] = DEFAULT_BACKOFF_MS): number {
  if (schedule.length === 0) return 0;
  const index = Math.min(Math.max(attempt, 1), schedule.length) - 1;
  return schedule[index]!;
}

/** `base, base·2, base·4, …` — the WEX proxy and inventory sync schedules. */
export function exponentialSchedule(baseMs: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => baseMs * 2 ** i);
}
