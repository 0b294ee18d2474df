import { eventually } from '@switchboard/testkit';
import type { BillingUnderTest } from '../../support/billing-harness.js';

/** The `nexacloud` service, registered as issue 8's admin API does it (no catalog: the importer brings it). */
export async function registerService(billing: BillingUnderTest, code = 'nexacloud', name = 'NexaCloud'): Promise<void> {
  await billing.gql(
    `mutation($input: CreateBillingServiceInput!) { createBillingService(input: $input) { service { code } } }`,
    { input: { code, name, webhookUrl: null } },
    ['ops'],
  );
}

const COMMON_FIELDS = `id kind status processed total error trigger
  summary { dryRun truncated created { kind count } updated { kind count } unchanged { kind count }
            skipped { kind id reason } failed { kind id reason } review { kind id reason } figures { name value } }`;
const RUN_FIELDS = `${COMMON_FIELDS} dryRun`;

export interface RunResult {
  id: string;
  status: string;
  dryRun: boolean;
  processed: number;
  total: number | null;
  error: string | null;
  summary: {
    created: { kind: string; count: number }[];
    updated: { kind: string; count: number }[];
    unchanged: { kind: string; count: number }[];
    skipped: { kind: string; id: string; reason: string }[];
    failed: { kind: string; id: string; reason: string }[];
    review: { kind: string; id: string; reason: string }[];
    figures: { name: string; value: string }[];
    dryRun: boolean;
  };
}

export const countOf = (bucket: { kind: string; count: number }[], kind: string) => bucket.find((c) => c.kind === kind)?.count ?? 0;
export const figure = (run: RunResult, name: string) => run.summary.figures.find((f) => f.name === name)?.value;

/** Start an import through GraphQL and wait for it to finish. */
export async function runImport(billing: BillingUnderTest, mutation: 'importBillingCatalog' | 'ingestBillingInvoices' | 'postIngestedInvoices', args: Record<string, unknown>): Promise<RunResult> {
  const list = Object.entries(args).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  const started = await billing.gql(`mutation { ${mutation}(${list}) { id status } }`, {}, ['finance']);
  return waitForImport(billing, started[mutation].id);
}

export async function waitForImport(billing: BillingUnderTest, id: string): Promise<RunResult> {
  return eventually(
    async () => (await billing.gql(`query($id: ID!) { importRun(id: $id) { ${RUN_FIELDS} } }`, { id }, ['finance'])).importRun as RunResult,
    (run) => run.status !== 'running',
    { timeoutMs: 60_000 },
  );
}

export async function runReconciliation(billing: BillingUnderTest, args: Record<string, unknown>): Promise<RunResult & { kind: string }> {
  const list = Object.entries(args).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  const started = await billing.gql(`mutation { startReconciliation(${list}) { id } }`, {}, ['finance']);
  return waitForReconciliation(billing, started.startReconciliation.id);
}

export async function waitForReconciliation(billing: BillingUnderTest, id: string): Promise<RunResult & { kind: string }> {
  return eventually(
    async () => (await billing.gql(`query($id: ID!) { reconciliationRun(id: $id) { ${COMMON_FIELDS} period tolerance } }`, { id }, ['finance'])).reconciliationRun,
    (run) => run.status !== 'running',
    { timeoutMs: 60_000 },
  );
}
