/**
 * What every benchmark script writes with `--json <file>`, and what test/bench/run-all.ts reads to
 * print one table for the whole suite:
 *
 *   { "name": "webhook-intake",
 *     "rows": [ { "label": "PrestaShop intake", "rps": 2500, "p50Ms": 12.1, … }, … ],
 *     "targets": [ { "label": "PrestaShop intake ≥ 0.5 × bare", "met": true, "detail": "0.61 × (2,500 vs 4,100 req/s)" } ] }
 *
 * `rows` are the figures the script measured, one flat object per measured thing (free-form keys,
 * numbers unformatted, a `label` naming the thing). `targets` are the goals it checks: `label`
 * states the goal, `detail` the figure measured against it, `met` the verdict. A script with no
 * goal of its own writes `targets: []`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type BenchValue = string | number | boolean | null;

export interface BenchRow {
  label: string;
  [figure: string]: BenchValue;
}

export interface BenchTarget {
  /** The goal, e.g. "p99 < 20 ms". */
  label: string;
  met: boolean;
  /** The measured figure the verdict rests on, e.g. "p99 14.2 ms (p50 6.1 ms)". */
  detail: string;
}

export interface BenchReport {
  name: string;
  rows: BenchRow[];
  targets: BenchTarget[];
}

/** The option every script accepts (spread into parseArgs' `options`). */
export const JSON_OPTION = { json: { type: 'string' } } as const;

/** Writes the report when `--json <file>` was given; otherwise does nothing. */
export function writeReport(file: string | undefined, report: BenchReport): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** Checks a parsed file has the report's shape; returns a problem, or undefined when it does. */
export function reportProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'not a JSON object';
  const report = value as Partial<BenchReport>;
  if (typeof report.name !== 'string') return 'name is not a string';
  if (!Array.isArray(report.rows)) return 'rows is not an array';
  if (!Array.isArray(report.targets)) return 'targets is not an array';
  for (const [i, target] of report.targets.entries()) {
    if (!target || typeof target.label !== 'string' || typeof target.met !== 'boolean' || typeof target.detail !== 'string') {
      return `targets[${i}] is not { label: string, met: boolean, detail: string }`;
    }
  }
  return undefined;
}

/** The p-th percentile (0–100) of ascending `sorted` values (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A number for people: thousands separated, `digits` decimals; "—" for NaN. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Rounds for the JSON rows (no 15-digit floats in the report). */
export function round(n: number, digits = 1): number {
  if (!Number.isFinite(n)) return n;
  const factor = 10 ** digits;
  return Math.round(n * factor) / factor;
}
