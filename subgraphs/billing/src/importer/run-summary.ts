/**
 * The summary every import run reports (pure): how many rows were created, updated or unchanged
 * per kind, which were skipped (with the reason) or failed (with the error), and what needs a
 * person's review. Long lists are capped so a pathological source cannot bloat the run row.
 */

export interface RowNote {
  kind: string;
  id: string;
  reason: string;
}

export interface RunSummary {
  dryRun: boolean;
  created: Record<string, number>;
  updated: Record<string, number>;
  unchanged: Record<string, number>;
  skipped: RowNote[];
  failed: RowNote[];
  /** Rows booked but worth a look (flags), or refused for a reason a person must settle. */
  review: RowNote[];
  /** Notes left out of the lists above once they hit the cap. */
  truncated: number;
  /** Named figures of the run (posted invoices, payments booked, totals per family…). */
  figures: Record<string, string>;
}

export const MAX_NOTES = 1_000;

export function emptySummary(dryRun: boolean): RunSummary {
  return { dryRun, created: {}, updated: {}, unchanged: {}, skipped: [], failed: [], review: [], truncated: 0, figures: {} };
}

export function count(bucket: Record<string, number>, kind: string, by = 1): void {
  if (by !== 0) bucket[kind] = (bucket[kind] ?? 0) + by;
}

export function note(summary: RunSummary, list: 'skipped' | 'failed' | 'review', entry: RowNote): void {
  if (summary[list].length >= MAX_NOTES) summary.truncated++;
  else summary[list].push({ ...entry, reason: entry.reason.slice(0, 500) });
}

/** `TypeError: message` — what a failed row shows. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
