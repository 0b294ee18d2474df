/**
 * The benchmarks' load generators, each run in a process of its own so that it does not share an
 * event loop with the servers it measures: fork one with its spec, get its figures back.
 * (Inside those processes: autocannon-run.ts.)
 */
import { exited, firstMessage, forkTs } from './child-processes.js';
import type { LoadFigures } from './autocannon-run.js';
import type { GatewayLoadReport, GatewayLoadSpec } from './gateway-load.js';
import type { IntakeLoadResult, IntakeLoadSpec } from './intake-load-process.js';
import type { WebhookLoadResult, WebhookLoadSpec } from './webhook-load.js';

export type { GatewayLoadReport, GatewayLoadSpec, IntakeLoadResult, IntakeLoadSpec, LoadFigures, WebhookLoadResult, WebhookLoadSpec };

/** Forks `file` (next to this one) with `spec` as its JSON argument; resolves with its answer once it has exited. */
async function runLoadGenerator<Result>(file: string, spec: unknown): Promise<Result> {
  const child = forkTs(new URL(file, import.meta.url).pathname, [JSON.stringify(spec)]);
  const result = await firstMessage<Result>(child, `load generator ${file}`);
  await exited(child);
  return result;
}

/** Signed Clover webhooks (clover-webhook-intake.ts). */
export const runWebhookLoad = (spec: WebhookLoadSpec) => runLoadGenerator<WebhookLoadResult>('./webhook-load.ts', spec);

/** One intake adapter's requests (webhook-intake.ts, memory.ts). */
export const runIntakeLoad = (spec: IntakeLoadSpec) => runLoadGenerator<IntakeLoadResult>('./intake-load-process.ts', spec);

/** GraphQL requests (gateway.ts, memory.ts). */
export const runGatewayLoad = (spec: GatewayLoadSpec) => runLoadGenerator<GatewayLoadReport>('./gateway-load.ts', spec);

/** The mean of two runs' figures (e.g. the bare server before and after the service's run): rates and latencies averaged, counts added. */
export function meanFigures(a: LoadFigures, b: LoadFigures): LoadFigures {
  const avg = (f: (r: LoadFigures) => number) => (f(a) + f(b)) / 2;
  return { rps: avg((r) => r.rps), p50: avg((r) => r.p50), p99: avg((r) => r.p99), ok: a.ok + b.ok, non2xx: a.non2xx + b.non2xx, errors: a.errors + b.errors };
}

/** The mean of two intake runs (the bare server before and after the service's run). */
export function meanOf(a: IntakeLoadResult, b: IntakeLoadResult): IntakeLoadResult {
  const statuses = { ...a.statuses };
  for (const [status, n] of Object.entries(b.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return { ...meanFigures(a, b), generated: a.generated + b.generated, records: a.records + b.records, statuses };
}
