/**
 * The whole benchmark suite, one script after the other, each in its own process (so no benchmark
 * inherits another's heap, JIT or leftovers), then ONE markdown table of every target: benchmark,
 * figure, target, met / MISSED. Every script writes its figures with `--json <file>` in the shape
 * of support/bench-report.ts; a script that fails, or writes no readable figures, is a row saying
 * so. The scripts' own output goes by as they run.
 *
 *   pnpm bench [--quick] [--only <names>] [--list] [--results <dir>]
 *
 * --quick     short runs and small sizes: checks the suite end to end in a few minutes; its figures
 *             mean little
 * --only      comma-separated names (or prefixes: `billing-usage-ingest` runs all three scales)
 * --list      the benchmarks and the commands they run, without running them
 * --results   keep each benchmark's JSON there (default: a temporary directory, removed)
 *
 * Exit code: 0 when every benchmark ran (missed targets are reported, not failures), 1 otherwise,
 * 130 when interrupted (the running benchmark is stopped and cleans up after itself first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportProblem, type BenchReport, type BenchRow } from './support/bench-report.js';
import { TSX_LOADER } from './support/child-processes.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
    results: { type: 'string' },
  },
});
const QUICK = values.quick;

interface Benchmark {
  name: string;
  /** The script, relative to test/bench. */
  script: string;
  args: string[];
  /** Written by other engineers and maybe not there yet: skipped (and said so) when absent. */
  optional?: boolean;
}

/** The suite, in the order it runs: cheap and independent first, long scaling runs last. */
const SUITE: Benchmark[] = [
  { name: 'gateway', script: 'gateway.ts', args: QUICK ? ['--duration', '2', '--warmup', '1', '--rounds', '1', '--customers', '20', '--connections', '10'] : [], optional: true },
  { name: 'clover-webhook-intake', script: 'clover-webhook-intake.ts', args: QUICK ? ['--duration', '2', '--warmup', '1'] : [], optional: true },
  {
    name: 'webhook-intake',
    script: 'webhook-intake.ts',
    // Clover has its own row above (clover-webhook-intake.ts).
    args: ['--adapters', 'prestashop,wex,billing-usage', ...(QUICK ? ['--duration', '2', '--warmup', '1', '--subscriptions', '10'] : [])],
  },
  { name: 'event-latency', script: 'event-latency.ts', args: QUICK ? ['--duration', '2', '--warmup', '1', '--rate', '200'] : [] },
  { name: 'memory', script: 'memory.ts', args: QUICK ? ['--duration', '2', '--settle', '1', '--customers', '5', '--subscriptions', '5'] : [] },
  { name: 'prestashop-intake', script: 'prestashop-intake.ts', args: QUICK ? ['--events', '500'] : [] },
  { name: 'inventory-sync', script: 'inventory-sync.ts', args: QUICK ? ['--variants', '200', '--proof-variants', '40'] : [] },
  ...(QUICK
    ? [{ name: 'billing-usage-ingest-2k', script: 'billing-usage-ingest.ts', args: ['--records', '2000', '--batch', '500', '--subscriptions', '10'] }]
    : [10_000, 100_000, 1_000_000].map((records) => ({
        name: `billing-usage-ingest-${records >= 1_000_000 ? `${records / 1_000_000}m` : `${records / 1_000}k`}`,
        script: 'billing-usage-ingest.ts',
        args: ['--records', String(records)],
      }))),
  { name: 'billing-reconciliation', script: 'billing-reconciliation.ts', args: ['--scales', QUICK ? '10000' : '10000,100000,1000000'] },
];

const benchDir = import.meta.dirname;
const root = resolve(benchDir, '../..');

function selected(): Benchmark[] {
  if (!values.only) return SUITE;
  const wanted = values.only.split(',').map((name) => name.trim()).filter(Boolean);
  const chosen = SUITE.filter((b) => wanted.some((name) => b.name === name || b.name.startsWith(`${name}-`)));
  const unknown = wanted.filter((name) => !SUITE.some((b) => b.name === name || b.name.startsWith(`${name}-`)));
  if (unknown.length > 0) {
    process.stderr.write(`--only: no benchmark named ${unknown.join(', ')} (known: ${SUITE.map((b) => b.name).join(', ')})\n`);
    process.exit(2);
  }
  return chosen;
}

interface Outcome {
  benchmark: Benchmark;
  seconds: number;
  report?: BenchReport;
  /** Why there are no figures (not present, failed, unreadable output). */
  problem?: string;
}

let running: ChildProcess | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The benchmark stops its own servers and child processes on SIGTERM; wait for it to do so.
    interrupted = true;
    running?.kill('SIGTERM');
    if (!running) process.exit(130);
  });
}

async function run(benchmark: Benchmark, resultsDir: string): Promise<Outcome> {
  const script = join(benchDir, benchmark.script);
  if (!existsSync(script)) return { benchmark, seconds: 0, problem: `not run: ${benchmark.script} is not there${benchmark.optional ? ' (being written)' : ''}` };
  const file = join(resultsDir, `${benchmark.name}.json`);
  rmSync(file, { force: true });
  console.log(`\n━━━ ${benchmark.name}: ${commandOf(benchmark)}\n`);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script, ...benchmark.args, '--json', file], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  running = child;
  const code = await new Promise<number>((resolvePromise) => child.once('exit', (exitCode, signal) => resolvePromise(exitCode ?? (signal ? 128 : 1))));
  running = undefined;
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(file)) return { benchmark, seconds, problem: code === 0 ? 'ran, but wrote no --json figures' : `failed (exit ${code}) before writing its figures` };
  let report: BenchReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  } catch (error) {
    return { benchmark, seconds, problem: `its --json file is not JSON (${(error as Error).message})` };
  }
  const problem = reportProblem(report);
  if (problem) return { benchmark, seconds, problem: `its --json file does not have the suite's shape: ${problem}` };
  // Figures written, but the script then failed (e.g. a check it makes after measuring).
  return { benchmark, seconds, report, problem: code === 0 ? undefined : `exited ${code} after writing its figures` };
}

function commandOf(benchmark: Benchmark): string {
  return ['pnpm exec tsx', relative(root, join(benchDir, benchmark.script)), ...benchmark.args].join(' ');
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The figures of a report without targets, shortly: its rows' labels and first few numbers. */
function summary(rows: BenchRow[]): string {
  return rows
    .slice(0, 4)
    .map((row) => {
      const figures = Object.entries(row)
        .filter(([key, value]) => key !== 'label' && typeof value === 'number')
        .slice(0, 3)
        .map(([key, value]) => `${key} ${value}`);
      return `${row.label ?? Object.values(row)[0]}: ${figures.join(', ')}`;
    })
    .join('; ');
}

function table(outcomes: Outcome[]): string {
  const lines = ['| benchmark | figure | target | result |', '|---|---|---|---|'];
  for (const { benchmark, report, problem } of outcomes) {
    if (report) {
      for (const target of report.targets) lines.push(`| ${cell(benchmark.name)} | ${cell(target.detail)} | ${cell(target.label)} | ${target.met ? 'met' : '**MISSED**'} |`);
      if (report.targets.length === 0) lines.push(`| ${cell(benchmark.name)} | ${cell(summary(report.rows))} | — | (no target) |`);
    }
    if (problem) lines.push(`| ${cell(benchmark.name)} | — | — | **${cell(problem)}** |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const benchmarks = selected();
  if (values.list) {
    for (const benchmark of benchmarks) console.log(`${benchmark.name.padEnd(28)} ${commandOf(benchmark)}`);
    return;
  }
  const resultsDir = values.results ? resolve(values.results) : mkdtempSync(join(tmpdir(), 'bench-results-'));
  mkdirSync(resultsDir, { recursive: true });
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const outcomes: Outcome[] = [];
  try {
    for (const benchmark of benchmarks) {
      if (interrupted) break;
      outcomes.push(await run(benchmark, resultsDir));
    }
  } finally {
    if (!values.results) rmSync(resultsDir, { recursive: true, force: true });
  }
  const minutes = (Date.now() - startedAt.getTime()) / 60_000;
  console.log(`\n━━━ Benchmark suite${QUICK ? ' (--quick: short runs, small sizes — a check of the suite, not figures)' : ''}${interrupted ? ' — INTERRUPTED' : ''}`);
  console.log(
    `${startedAt.toISOString()}, ${minutes.toFixed(1)} min; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after${values.results ? `; figures in ${values.results}` : ''}\n`,
  );
  console.log(table(outcomes));
  if (interrupted) process.exit(130);
  // Missed targets are results; a benchmark that did not run through is a failure of the suite
  // (an optional script that is not there yet excepted).
  const failed = outcomes.filter((o) => o.problem && !(o.benchmark.optional && o.problem.startsWith('not run')));
  if (failed.length > 0) process.exitCode = 1;
}

await main();
