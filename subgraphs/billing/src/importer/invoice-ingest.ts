import type { EntityManager } from '@mikro-orm/core';
import type { Database } from '@switchboard/kit';
import { AccountLink } from '../accounts/account-link.js';
import { upsertCustomer } from '../accounts/account-links.js';
import { invoiceFingerprint, isBlocked, prepareInvoice } from '../ledger/invoice-document.js';
import { postLedgerInvoice, writeDraft } from '../ledger/invoice-posting.js';
import { LedgerInvoice } from '../ledger/ledger-invoice.js';
import { LedgerInvoiceLine } from '../ledger/ledger-invoice-line.js';
import { LedgerPayment } from '../ledger/ledger-payment.js';
import { bookPayment } from '../ledger/payments.js';
import { loadRevenueRules } from '../ledger/revenue-rules.js';
import type { RevenueFamilyRuleData } from '../ledger/revenue-families.js';
import type { BillingService } from '../services/billing-service.js';
import { Dec, MONEY_SCALE, ZERO, fixed } from '../shared/decimal.js';
import type { Progress } from './background-runs.js';
import { RowError } from './catalog-mapping.js';
import { checkSourceInvoice, type CheckedSourceInvoice } from './invoice-mapping.js';
import { count, describeError, emptySummary, note, type RunSummary } from './run-summary.js';
import type { SourceInvoice } from './source-reader.js';

export interface IngestOptions {
  dryRun: boolean;
  /** Post what is clean right away (else drafts wait for review and bulk posting). */
  post: boolean;
  /** The clearing channel the app's payments went through (NexaCloud: `stripe`). */
  paymentChannel: string;
  postedBy: string;
}

class DryRunRollback extends Error {}

type Outcome = {
  kind: 'created' | 'updated' | 'unchanged' | 'skipped';
  reason?: string;
  posted?: boolean;
  paymentsBooked?: number;
  review?: string[];
  currency?: string;
  families?: [string, string][];
};

export function importSourceKey(serviceId: string, externalId: string): string {
  return `import:${serviceId}:${externalId}`;
}

/**
 * Ingest the app's invoices into the ledger, each in its own transaction (a bad invoice never
 * spoils the others; a dry run rolls each one back, so nothing is written). Posted invoices are
 * never rewritten (a change at the source is reported), drafts are rewritten, void and draft
 * invoices are skipped, payments the source reports are booked as they are — partial ones too.
 */
export async function ingestInvoices(
  db: Database,
  service: BillingService,
  pages: AsyncIterable<SourceInvoice[]>,
  options: IngestOptions,
  progress?: Progress,
): Promise<RunSummary> {
  const summary = emptySummary(options.dryRun);
  const rules = (await loadRevenueRules(db.em())).map((r) => ({ family: r.family, keyword: r.keyword }));
  const totals = new Map<string, Dec>();
  let posted = 0;
  let paymentsBooked = 0;
  for await (const page of pages) {
    for (const row of page) {
      const id = row.id ?? '(no id)';
      try {
        const outcome = await inTransaction(db, options.dryRun, (em) => ingestOne(em, service, row, rules, options));
        if (outcome.kind === 'skipped') note(summary, 'skipped', { kind: 'invoice', id, reason: outcome.reason ?? '' });
        else count(summary[outcome.kind], 'invoices');
        if (outcome.posted) posted++;
        paymentsBooked += outcome.paymentsBooked ?? 0;
        for (const reason of outcome.review ?? []) note(summary, 'review', { kind: 'invoice', id, reason });
        for (const [family, amount] of outcome.families ?? []) {
          const key = `${family} ${outcome.currency}`;
          totals.set(key, (totals.get(key) ?? ZERO).plus(amount));
        }
      } catch (error) {
        note(summary, 'failed', { kind: 'invoice', id, reason: describeError(error) });
      }
      progress?.advance();
    }
  }
  summary.figures['posted'] = String(posted);
  summary.figures['paymentsBooked'] = String(paymentsBooked);
  for (const [key, amount] of [...totals.entries()].sort()) summary.figures[`revenue ${key}`] = fixed(amount, MONEY_SCALE);
  return summary;
}

async function inTransaction<T>(db: Database, dryRun: boolean, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (!dryRun) return db.em().transactional(work);
  let result: T | undefined;
  try {
    await db.em().transactional(async (em) => {
      result = await work(em);
      throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return result!;
}

async function customerOf(em: EntityManager, service: BillingService, invoice: CheckedSourceInvoice): Promise<{ email: string; created: boolean }> {
  const link = await em.findOne(AccountLink, { serviceId: service.id, externalId: invoice.userExternalId });
  if (link) return { email: link.email, created: false };
  // One-off invoices of users the catalog import never saw: the link is made here (as the seed).
  if (!invoice.customerEmail) throw new RowError(`invoice ${invoice.externalId}: user ${invoice.userExternalId} is unknown and has no e-mail`);
  const upserted = await upsertCustomer(em, service.id, {
    externalId: invoice.userExternalId,
    email: invoice.customerEmail,
    name: invoice.customerName ?? undefined,
    currency: invoice.currency,
  });
  await em.flush();
  return { email: upserted.link.email, created: true };
}

async function ingestOne(em: EntityManager, service: BillingService, row: SourceInvoice, rules: RevenueFamilyRuleData[], options: IngestOptions): Promise<Outcome> {
  const disposition = checkSourceInvoice(row);
  const sourceKey = importSourceKey(service.id, (row.id ?? '').trim());
  const existing = await em.findOne(LedgerInvoice, { sourceKey });

  if (disposition.action === 'skip') {
    if (disposition.void && existing?.status === 'draft') {
      await em.nativeDelete(LedgerInvoiceLine, { invoiceId: existing.id });
      em.remove(existing);
      await em.flush();
      return { kind: 'skipped', reason: 'void at source: its draft was removed' };
    }
    if (disposition.void && existing?.status === 'posted') {
      return { kind: 'skipped', reason: 'void at source', review: ['posted, but now void at source: reverse its entry or issue a credit note'] };
    }
    return { kind: 'skipped', reason: disposition.reason };
  }

  const invoice = disposition.invoice;
  const customer = await customerOf(em, service, invoice);
  const fingerprint = invoiceFingerprint({ customerKey: customer.email, issuedAt: invoice.issuedAt, ...invoice.document });
  const prepared = prepareInvoice(invoice.document, rules);
  const review: string[] = [];

  let ledgerInvoice: LedgerInvoice;
  let kind: Outcome['kind'];
  if (existing && existing.status !== 'draft') {
    kind = 'skipped';
    if (existing.fingerprint !== fingerprint) {
      existing.upstreamChangedAt ??= new Date();
      review.push(`changed at source after it was posted (${existing.status}): not re-booked; reverse its entry to post the new version`);
    }
    existing.sourceStatus = invoice.status;
    existing.sourceAmountPaid = fixed(invoice.paid, MONEY_SCALE);
    existing.sourcePaidAt = invoice.paidAt;
    existing.updatedAt = new Date();
    ledgerInvoice = existing;
  } else {
    const unchanged = existing !== null && existing.fingerprint === fingerprint
      && existing.flags === JSON.stringify(prepared.flags) && existing.sourceStatus === invoice.status
      && new Dec(String(existing.sourceAmountPaid ?? '0')).eq(invoice.paid);
    if (unchanged) {
      ledgerInvoice = existing;
      kind = 'unchanged';
    } else {
      ledgerInvoice = await writeDraft(em, existing, {
        sourceKey,
        origin: 'import',
        serviceId: service.id,
        externalId: invoice.externalId,
        number: row.invoice_number?.trim() || null,
        providerInvoiceId: row.stripe_invoice_id?.trim() || null,
        customerEmail: customer.email,
        externalCustomerId: invoice.userExternalId,
        customerName: invoice.customerName,
        subscriptionExternalId: row.subscription_external_id?.trim() || null,
        issuedAt: invoice.issuedAt,
        currency: invoice.currency,
        sourceStatus: invoice.status,
        sourceAmountPaid: fixed(invoice.paid, MONEY_SCALE),
        sourcePaidAt: invoice.paidAt,
        fingerprint,
      }, prepared);
      kind = existing ? 'updated' : 'created';
      review.push(...prepared.problems.map((p) => (isBlocked(prepared.flags) ? `not postable: ${p}` : p)));
    }
  }

  let posted = false;
  if (options.post && ledgerInvoice.status === 'draft' && !isBlocked(ledgerInvoice.flagList())) {
    await postLedgerInvoice(em, ledgerInvoice, options.postedBy);
    posted = true;
  }
  const paymentsBooked = ledgerInvoice.status === 'posted' ? await syncSourcePayments(em, ledgerInvoice, invoice, options, review) : 0;
  await em.flush();
  return {
    kind,
    reason: kind === 'skipped' ? `already ${ledgerInvoice.status}` : undefined,
    posted,
    paymentsBooked,
    review,
    currency: invoice.currency,
    families: kind === 'skipped' || kind === 'unchanged' ? [] : prepared.revenueByFamily.map(([family, amount]) => [family, amount.toFixed(2)]),
  };
}

/**
 * Book what the source says was paid and the ledger has not booked yet: one payment per new
 * cumulative amount (so re-ingesting books nothing twice, and a later top-up books the difference).
 * Less paid than booked is reported, not guessed at.
 */
export async function syncSourcePayments(
  em: EntityManager,
  invoice: LedgerInvoice,
  source: { paid: Dec; paidAt: Date | null },
  options: Pick<IngestOptions, 'paymentChannel' | 'postedBy'>,
  review: string[],
): Promise<number> {
  if (source.paid.lte(0)) return 0;
  const booked = (await em.find(LedgerPayment, { ledgerInvoiceId: invoice.id, sourceKey: { $like: 'import:%' }, status: 'applied' }))
    .reduce((sum, p) => sum.plus(new Dec(String(p.amount)).mul(p.kind === 'charge' ? 1 : -1)), ZERO as Dec);
  if (source.paid.lt(booked)) {
    review.push(`source reports ${fixed(source.paid, MONEY_SCALE)} paid but ${fixed(booked, MONEY_SCALE)} is booked: a refund at the source?`);
    return 0;
  }
  if (source.paid.eq(booked)) return 0;
  const { created } = await bookPayment(em, {
    sourceKey: `${invoice.sourceKey}:paid:${fixed(source.paid, MONEY_SCALE)}`,
    kind: 'charge',
    provider: options.paymentChannel,
    amount: source.paid.minus(booked),
    currency: invoice.currency,
    occurredAt: source.paidAt ?? invoice.issuedAt,
    invoice,
    invoiceReference: invoice.providerInvoiceId ?? invoice.externalId ?? null,
    customerEmail: invoice.customerEmail,
    postedBy: options.postedBy,
  });
  return created ? 1 : 0;
}

/**
 * Post every clean draft of a service (after a person reviewed the dry run / drafts), each in its
 * own transaction, and book the payments their source reported. Flagged drafts are listed, not posted.
 */
export async function postIngestedDrafts(db: Database, service: BillingService, options: Pick<IngestOptions, 'paymentChannel' | 'postedBy' | 'dryRun'>, progress?: Progress): Promise<RunSummary> {
  const summary = emptySummary(options.dryRun);
  const drafts = await db.em().find(LedgerInvoice, { serviceId: service.id, status: 'draft', origin: 'import' }, { orderBy: { issuedAt: 'asc', id: 'asc' }, fields: ['id'] });
  progress?.setTotal(drafts.length);
  let posted = 0;
  let paymentsBooked = 0;
  for (const { id } of drafts) {
    try {
      const outcome = await inTransaction(db, options.dryRun, async (em) => {
        const invoice = await em.findOne(LedgerInvoice, { id });
        if (!invoice || invoice.status !== 'draft') return { posted: false, payments: 0, flagged: undefined as string | undefined };
        if (isBlocked(invoice.flagList())) return { posted: false, payments: 0, flagged: invoice.problemList().join('; ') };
        await postLedgerInvoice(em, invoice, options.postedBy);
        const review: string[] = [];
        const payments = await syncSourcePayments(em, invoice, { paid: new Dec(String(invoice.sourceAmountPaid ?? '0')), paidAt: invoice.sourcePaidAt ?? null }, options, review);
        return { posted: true, payments, flagged: undefined };
      });
      if (outcome.flagged) note(summary, 'skipped', { kind: 'invoice', id, reason: `flagged: ${outcome.flagged}` });
      if (outcome.posted) posted++;
      paymentsBooked += outcome.payments;
    } catch (error) {
      note(summary, 'failed', { kind: 'invoice', id, reason: describeError(error) });
    }
    progress?.advance();
  }
  summary.figures['posted'] = String(posted);
  summary.figures['paymentsBooked'] = String(paymentsBooked);
  return summary;
}
