/**
 * Load generator of test/bench/webhook-intake.ts, in its own process so that it does not share an
 * event loop with the servers it measures: autocannon, closed loop, every request a distinct one
 * built by the adapter's factory (support/intake-adapters.ts).
 *
 * Input: one JSON argument (IntakeLoadSpec); output: IntakeLoadResult over IPC.
 */
import { answerParent, loadSpec, runAutocannon, type LoadFigures, type LoadTarget } from './autocannon-run.js';
import { requestFactory, type AdapterName, type RequestOptions } from './intake-adapters.js';

export interface IntakeLoadSpec extends RequestOptions, LoadTarget {
  adapter: AdapterName;
}

export interface IntakeLoadResult extends LoadFigures {
  /** Requests built (sent or about to be) and the records they carried. */
  generated: number;
  records: number;
  /** Status codes other than 2xx, with counts (what went wrong, at a glance). */
  statuses: Record<string, number>;
}

const spec = loadSpec<IntakeLoadSpec>();
const next = requestFactory(spec.adapter, spec);
let generated = 0;
let records = 0;
const statuses: Record<string, number> = {};

const figures = await runAutocannon(
  spec,
  () => {
    const built = next();
    generated++;
    records += built.records;
    return { body: built.body, headers: built.headers };
  },
  (status) => {
    if (status < 200 || status > 299) statuses[status] = (statuses[status] ?? 0) + 1;
  },
);
answerParent({ ...figures, generated, records, statuses } satisfies IntakeLoadResult);
