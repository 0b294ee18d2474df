import { exited, firstMessage, forkTs } from './child-processes.js';
import type { IntakeLoadResult, IntakeLoadSpec } from './intake-load-process.js';

export type { IntakeLoadResult, IntakeLoadSpec };

const LOAD_PROCESS = new URL('./intake-load-process.ts', import.meta.url).pathname;

/** Runs autocannon against one adapter in a separate process; resolves with its figures. */
export async function runIntakeLoad(spec: IntakeLoadSpec): Promise<IntakeLoadResult> {
  const child = forkTs(LOAD_PROCESS, [JSON.stringify(spec)]);
  const result = await firstMessage<IntakeLoadResult>(child, 'load generator');
  await exited(child);
  return result;
}

/** The mean of two runs (the bare server before and after the service's run). */
export function meanOf(a: IntakeLoadResult, b: IntakeLoadResult): IntakeLoadResult {
  const avg = (f: (r: IntakeLoadResult) => number) => (f(a) + f(b)) / 2;
  const statuses = { ...a.statuses };
  for (const [status, n] of Object.entries(b.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    rps: avg((r) => r.rps),
    p50: avg((r) => r.p50),
    p99: avg((r) => r.p99),
    ok: a.ok + b.ok,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    generated: a.generated + b.generated,
    records: a.records + b.records,
    statuses,
  };
}
