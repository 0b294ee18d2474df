import { env, loadConfig, type Decimal } from '@switchboard/kit';
import { Cron } from 'croner';
import { z } from 'zod';
import { parseSourceConfigs, type SourceConfig } from '../importer/source-config.js';
import { Dec } from '../shared/decimal.js';

/** A cron expression (UTC), or `off`. */
const cron = (fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    const text = value.trim();
    if (text.toLowerCase() === 'off') return null;
    try {
      new Cron(text, { paused: true, timezone: 'UTC' }).stop();
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a cron expression (UTC) or off: ${(error as Error).message}` });
      return z.NEVER;
    }
    return text;
  });

export const ledgerEnvSchema = z.object({
  BILLING_RECONCILIATION_TOLERANCE: z.string().default('0.01').refine((v) => /^\d+(\.\d{1,6})?$/.test(v.trim()), {
    message: 'must be a non-negative decimal with at most 6 places, e.g. 0.01',
  }),
  BILLING_RECONCILIATION_CRON: cron('0 7 * * *'),
  BILLING_LEDGER_INGEST_CRON: cron('off'),
  BILLING_LEDGER_INGEST_AUTO_POST: env.bool(false),
  BILLING_PAYMENT_MATCH_WINDOW_DAYS: env.positiveInt(30),
  BILLING_SOURCE_STATEMENT_TIMEOUT_MS: env.positiveInt(300_000),
});

/** Settings of the ledger, the importer and reconciliation (README: "Billing — ledger, importer, reconciliation"). */
export interface LedgerConfig {
  /** |computed − external| at most this is a match (inclusive). */
  tolerance: Decimal;
  /** When scheduled reconciliations run (UTC cron), or null. */
  reconciliationCron: string | null;
  /** When the app's invoices are ingested (UTC cron), or null. */
  ingestCron: string | null;
  /** Scheduled ingests post clean invoices right away. */
  ingestAutoPost: boolean;
  /** A payment matches an invoice by amount when it happened this many days after it (or up to 3 days before). */
  paymentMatchWindowDays: number;
  sourceStatementTimeoutMs: number;
  sources: Map<string, SourceConfig>;
}

export function loadLedgerConfig(vars: Record<string, string | undefined>, ownDatabaseUrl: string): LedgerConfig {
  const parsed = loadConfig(ledgerEnvSchema, vars);
  return {
    tolerance: new Dec(parsed.BILLING_RECONCILIATION_TOLERANCE.trim()),
    reconciliationCron: parsed.BILLING_RECONCILIATION_CRON,
    ingestCron: parsed.BILLING_LEDGER_INGEST_CRON,
    ingestAutoPost: parsed.BILLING_LEDGER_INGEST_AUTO_POST,
    paymentMatchWindowDays: parsed.BILLING_PAYMENT_MATCH_WINDOW_DAYS,
    sourceStatementTimeoutMs: parsed.BILLING_SOURCE_STATEMENT_TIMEOUT_MS,
    sources: parseSourceConfigs(vars, ownDatabaseUrl),
  };
}
