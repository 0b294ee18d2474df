import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, ZERO, roundHalfUp } from '../shared/decimal.js';
import type { AccountRef } from './accounts.js';

/**
 * Posting rules (pure): what each business event books, as balanced debit/credit lines in one
 * currency. The I/O side (ledger.ts) resolves accounts and stores the result; it refuses anything
 * `assertBalanced` refuses.
 */

export interface PostingLine {
  account: AccountRef;
  debit: Decimal;
  credit: Decimal;
  /** Set on receivable lines: the customer sub-ledger. */
  customerEmail: string | null;
  memo: string;
}

export interface Posting {
  currency: string;
  lines: PostingLine[];
}

export class UnbalancedPostingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnbalancedPostingError';
  }
}

/** A signed amount as one line: positive → debit, negative → credit. */
function line(account: AccountRef, signed: Decimal, memo: string, customerEmail: string | null = null): PostingLine {
  const amount = roundHalfUp(signed, MONEY_SCALE);
  return amount.lt(0)
    ? { account, debit: ZERO, credit: amount.neg(), customerEmail, memo }
    : { account, debit: amount, credit: ZERO, customerEmail, memo };
}

function withoutZeroLines(currency: string, lines: PostingLine[]): Posting {
  return { currency, lines: lines.filter((l) => !l.debit.isZero() || !l.credit.isZero()) };
}

export interface InvoiceToPost {
  currency: string;
  customerEmail: string;
  /** Revenue per family, in cents, summing to the invoice's subtotal. Negative for a credit invoice. */
  revenueByFamily: readonly (readonly [family: string, amount: Decimal])[];
  tax: Decimal;
  memo: string;
}

/** An invoice: the customer owes the total (receivable); revenue per family and tax owed are credited. */
export function invoicePosting(invoice: InvoiceToPost): Posting {
  const subtotal = invoice.revenueByFamily.reduce((sum, [, amount]) => sum.plus(amount), ZERO as Decimal);
  const total = subtotal.plus(invoice.tax);
  return withoutZeroLines(invoice.currency, [
    line({ kind: 'receivable' }, total, invoice.memo, invoice.customerEmail),
    ...invoice.revenueByFamily.map(([family, amount]) => line({ kind: 'revenue', family }, amount.neg(), `${invoice.memo} — ${family}`)),
    line({ kind: 'tax_payable' }, invoice.tax.neg(), `${invoice.memo} — tax`),
  ]);
}

/** A credit note: the reverse of the part of the invoice it credits. */
export function creditNotePosting(credit: InvoiceToPost): Posting {
  return invoicePosting({
    ...credit,
    revenueByFamily: credit.revenueByFamily.map(([family, amount]) => [family, amount.neg()] as const),
    tax: credit.tax.neg(),
  });
}

export interface MoneyMovement {
  currency: string;
  amount: Decimal;
  /** The payment channel's clearing account (`stripe`, `clover`, …). */
  channel: string;
  /** Known invoice → the customer's receivable; unknown → suspense until someone matches it. */
  customerEmail: string | null;
  target: 'receivable' | 'suspense';
  memo: string;
}

function counterpart(movement: MoneyMovement): AccountRef {
  return movement.target === 'receivable' ? { kind: 'receivable' } : { kind: 'suspense' };
}

/** Money received: the clearing account is debited; the receivable (or suspense) is credited. */
export function paymentPosting(payment: MoneyMovement): Posting {
  if (payment.amount.lte(0)) throw new UnbalancedPostingError('a payment must be a positive amount');
  return withoutZeroLines(payment.currency, [
    line({ kind: 'clearing', channel: payment.channel }, payment.amount, payment.memo),
    line(counterpart(payment), payment.amount.neg(), payment.memo, payment.target === 'receivable' ? payment.customerEmail : null),
  ]);
}

/** Money paid back: the customer's receivable (or suspense) is debited, the clearing account credited. */
export function refundPosting(refund: MoneyMovement): Posting {
  if (refund.amount.lte(0)) throw new UnbalancedPostingError('a refund must be a positive amount');
  return withoutZeroLines(refund.currency, [
    line(counterpart(refund), refund.amount, refund.memo, refund.target === 'receivable' ? refund.customerEmail : null),
    line({ kind: 'clearing', channel: refund.channel }, refund.amount.neg(), refund.memo),
  ]);
}

/**
 * A parked payment tied to its invoice at last: out of suspense into the customer's receivable.
 * (A parked refund moves the other way, hence the sign.)
 */
export function suspenseApplicationPosting(input: { currency: string; amount: Decimal; kind: 'charge' | 'refund'; customerEmail: string; memo: string }): Posting {
  const signed = input.kind === 'charge' ? input.amount : input.amount.neg();
  return withoutZeroLines(input.currency, [
    line({ kind: 'suspense' }, signed, input.memo),
    line({ kind: 'receivable' }, signed.neg(), input.memo, input.customerEmail),
  ]);
}

/** The exact opposite of posted lines: how a posted entry is corrected (it is never edited). */
export function reversalPosting(posting: Posting, memo: string): Posting {
  return {
    currency: posting.currency,
    lines: posting.lines.map((l) => ({ ...l, debit: l.credit, credit: l.debit, memo })),
  };
}

export function totals(posting: Posting): { debit: Decimal; credit: Decimal } {
  return posting.lines.reduce(
    (sum, l) => ({ debit: sum.debit.plus(l.debit), credit: sum.credit.plus(l.credit) }),
    { debit: new Dec(0) as Decimal, credit: new Dec(0) as Decimal },
  );
}

/** Every posted entry: at least two lines, non-negative cents on one side each, debits = credits. */
export function assertBalanced(posting: Posting): void {
  if (!/^[A-Z]{3}$/.test(posting.currency)) throw new UnbalancedPostingError(`currency "${posting.currency}" is not an ISO 4217 code`);
  if (posting.lines.length < 2) throw new UnbalancedPostingError('an entry needs at least two non-zero lines');
  for (const l of posting.lines) {
    if (l.debit.lt(0) || l.credit.lt(0)) throw new UnbalancedPostingError('debits and credits are never negative');
    if (!l.debit.isZero() && !l.credit.isZero()) throw new UnbalancedPostingError('a line is either a debit or a credit');
    if (l.debit.decimalPlaces() > MONEY_SCALE || l.credit.decimalPlaces() > MONEY_SCALE) throw new UnbalancedPostingError('ledger amounts are whole cents');
  }
  const { debit, credit } = totals(posting);
  if (!debit.eq(credit)) throw new UnbalancedPostingError(`debits ${debit.toFixed(2)} ≠ credits ${credit.toFixed(2)}`);
}
