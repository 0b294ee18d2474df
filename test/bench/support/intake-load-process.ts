/**
 * Load generator of test/bench/webhook-intake.ts, in its own process so that it does not share an
 * event loop with the servers it measures: autocannon, closed loop, every request a distinct one
 * built by the adapter's factory (support/intake-adapters.ts).
 *
 * Input: one JSON argument (IntakeLoadSpec); output: IntakeLoadResult over IPC.
 */
import autocannon from 'autocannon';
import { requestFactory, type AdapterName, type RequestOptions } from './intake-adapters.js';

export interface IntakeLoadSpec extends RequestOptions {
  adapter: AdapterName;
  url: string;
  connections: number;
  durationSeconds: number;
}

export interface IntakeLoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Requests built (sent or about to be) and the records they carried. */
  generated: number;
  records: number;
  /** Status codes other than 2xx, with counts (what went wrong, at a glance). */
  statuses: Record<string, number>;
}

const spec = JSON.parse(process.argv[2]!) as IntakeLoadSpec;
const next = requestFactory(spec.adapter, spec);
let generated = 0;
let records = 0;
const statuses: Record<string, number> = {};

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  pipelining: 1,
  requests: [
    {
      method: 'POST',
      setupRequest: (request: Record<string, unknown>) => {
        const built = next();
        generated++;
        records += built.records;
        return { ...request, body: built.body, headers: built.headers };
      },
      onResponse: (status: number) => {
        if (status < 200 || status > 299) statuses[status] = (statuses[status] ?? 0) + 1;
      },
    },
  ],
});
const answer: IntakeLoadResult = {
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  generated,
  records,
  statuses,
};
process.send!(answer, () => process.exit(0));
