import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import { Dec } from '../shared/decimal.js';
import { nextSequenceValue } from '../shared/sequence.js';
import { accountSpec, type AccountRef } from './accounts.js';
import { JournalEntry, type EntrySourceType } from './journal-entry.js';
import { JournalLine } from './journal-line.js';
import { LedgerAccount } from './ledger-account.js';
import { assertBalanced, type Posting } from './posting-rules.js';
import { dbDate, sql } from '../shared/sql.js';

/**
 * The ledger's storage side: resolves accounts, stores balanced entries, answers balances.
 * Everything here runs inside the caller's transaction (`runtime.transaction` or a handler's em).
 */

export interface EntryHeader {
  sourceType: EntrySourceType;
  sourceId: string;
  revision?: number;
  description: string;
  effectiveAt: Date;
  postedBy?: string;
  customerEmail?: string | null;
  ledgerInvoiceId?: string | null;
  ledgerPaymentId?: string | null;
  reversesEntryId?: string | null;
}

export interface StoredLine {
  accountId: number;
  debit: Decimal;
  credit: Decimal;
  customerEmail: string | null;
  memo: string;
}

/** The accounts behind these references, created on first use. */
export async function ensureAccounts(em: EntityManager, refs: readonly AccountRef[]): Promise<Map<string, LedgerAccount>> {
  const specs = new Map(refs.map((ref) => {
    const spec = accountSpec(ref);
    return [spec.code, spec] as const;
  }));
  const codes = [...specs.keys()];
  const found = await em.find(LedgerAccount, { code: { $in: codes } });
  const missing = codes.filter((code) => !found.some((a) => a.code === code));
  if (missing.length > 0) {
    // `ignore` on conflict: a concurrent transaction may create the same account first.
    await em.upsertMany(
      LedgerAccount,
      missing.map((code) => ({ ...specs.get(code)!, createdAt: new Date() })),
      { onConflictFields: ['code'], onConflictAction: 'ignore' },
    );
    found.push(...(await em.find(LedgerAccount, { code: { $in: missing } })));
  }
  return new Map(found.map((a) => [a.code, a]));
}

export async function findEntry(em: EntityManager, sourceType: EntrySourceType, sourceId: string, revision = 1): Promise<JournalEntry | null> {
  return em.findOne(JournalEntry, { sourceType, sourceId, revision });
}

/** Post a balanced posting as a new, immutable entry. */
export async function postEntry(em: EntityManager, header: EntryHeader, posting: Posting): Promise<JournalEntry> {
  assertBalanced(posting);
  const accounts = await ensureAccounts(em, posting.lines.map((l) => l.account));
  return storeEntry(em, header, posting.currency, posting.lines.map((l) => ({
    accountId: accounts.get(accountSpec(l.account).code)!.id,
    debit: l.debit,
    credit: l.credit,
    customerEmail: l.customerEmail,
    memo: l.memo,
  })));
}

/** Store lines whose accounts are already resolved (postEntry; reversals copy lines as they are). */
export async function storeEntry(em: EntityManager, header: EntryHeader, currency: string, lines: readonly StoredLine[]): Promise<JournalEntry> {
  const debit = lines.reduce((sum, l) => sum.plus(l.debit), new Dec(0));
  const credit = lines.reduce((sum, l) => sum.plus(l.credit), new Dec(0));
  if (lines.length < 2 || !debit.eq(credit)) throw new Error(`refusing an unbalanced entry for ${header.sourceType} ${header.sourceId}`);
  const number = await nextSequenceValue(em, 'billing.journal_entry');
  const entry = em.create(JournalEntry, {
    id: randomUUID(),
    number: `JE-${String(number).padStart(6, '0')}`,
    sourceType: header.sourceType,
    sourceId: header.sourceId.slice(0, 300),
    revision: header.revision ?? 1,
    description: header.description.slice(0, 300),
    currency,
    effectiveAt: header.effectiveAt,
    postedAt: new Date(),
    postedBy: (header.postedBy ?? 'system').slice(0, 200),
    customerEmail: header.customerEmail ?? null,
    ledgerInvoiceId: header.ledgerInvoiceId ?? null,
    ledgerPaymentId: header.ledgerPaymentId ?? null,
    reversesEntryId: header.reversesEntryId ?? null,
  });
  lines.forEach((l, index) => {
    em.create(JournalLine, {
      id: undefined as unknown as number,
      entryId: entry.id,
      position: index + 1,
      accountId: l.accountId,
      currency,
      debit: l.debit.toFixed(2),
      credit: l.credit.toFixed(2),
      customerEmail: l.customerEmail,
      memo: l.memo.slice(0, 300),
    });
  });
  await em.flush();
  return entry;
}

export interface BalanceRow {
  accountId: number;
  currency: string;
  debit: Decimal;
  credit: Decimal;
}

/**
 * Money columns are summed as integer cents: exact on PostgreSQL (NUMERIC) and on SQLite, whose
 * decimal columns hold floating-point values that a plain SUM would add inexactly.
 */
const CENTS = (column: string) => `sum(cast(round(${column} * 100) as bigint))`;

function centsToDecimal(value: unknown): Decimal {
  return new Dec(String(value ?? 0)).div(100);
}

/** Debit and credit totals per account and currency (optionally as of a date). */
export async function accountBalances(em: EntityManager, options: { asOf?: Date; currency?: string } = {}): Promise<BalanceRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.currency) {
    where.push('l.currency = ?');
    params.push(options.currency);
  }
  if (options.asOf) {
    where.push('l.entry_id in (select id from billing_journal_entry where effective_at <= ?)');
    params.push(dbDate(em, options.asOf));
  }
  const rows = await sql<{ account_id: number; currency: string; debit: unknown; credit: unknown }>(em,
    `select l.account_id, l.currency, ${CENTS('l.debit')} as debit, ${CENTS('l.credit')} as credit
       from billing_journal_line l ${where.length ? `where ${where.join(' and ')}` : ''}
      group by l.account_id, l.currency order by l.account_id, l.currency`,
    params,
  );
  return rows.map((r) => ({ accountId: Number(r.account_id), currency: r.currency, debit: centsToDecimal(r.debit), credit: centsToDecimal(r.credit) }));
}

export interface CustomerBalance {
  customerEmail: string;
  currency: string;
  /** What the customer owes (receivable debits − credits); negative = the customer is in credit. */
  balance: Decimal;
}

/** Receivable balance per customer and currency (the customer sub-ledger). */
export async function customerBalances(em: EntityManager, emails?: readonly string[]): Promise<CustomerBalance[]> {
  const params: unknown[] = [];
  let filter = '';
  if (emails) {
    if (emails.length === 0) return [];
    filter = `and l.customer_email in (${emails.map(() => '?').join(', ')})`;
    params.push(...emails);
  }
  const rows = await sql<{ customer_email: string; currency: string; debit: unknown; credit: unknown }>(em,
    `select l.customer_email, l.currency, ${CENTS('l.debit')} as debit, ${CENTS('l.credit')} as credit
       from billing_journal_line l join billing_ledger_account a on a.id = l.account_id
      where a.kind = 'receivable' and l.customer_email is not null ${filter}
      group by l.customer_email, l.currency order by l.customer_email, l.currency`,
    params,
  );
  return rows.map((r) => ({ customerEmail: r.customer_email, currency: r.currency, balance: centsToDecimal(r.debit).minus(centsToDecimal(r.credit)) }));
}
