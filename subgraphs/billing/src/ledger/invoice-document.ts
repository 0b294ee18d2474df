import { createHash } from 'node:crypto';
import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, ZERO, roundHalfUp } from '../shared/decimal.js';
import { classifyRevenue, OTHER_FAMILY, type RevenueFamilyRuleData } from './revenue-families.js';
import { checkTax } from './tax.js';

/**
 * An invoice as the ledger books it (pure): its lines classified into revenue families, revenue
 * per family in cents, the tax check, and the flags that keep it from being posted silently.
 */

export interface InvoiceLineInput {
  description: string | null;
  /** Decimal strings as read from the source (NexaCloud amounts carry 4 decimals). */
  quantity: string | null;
  unitPrice: string | null;
  amount: string | null;
  periodStart: Date | null;
}

export interface InvoiceInput {
  currency: string;
  subtotal: string;
  tax: string;
  lines: readonly InvoiceLineInput[];
}

/**
 * `tax_mismatch`: the tax computed at the derived rate differs from the source's.
 * `subtotal_mismatch`: the items do not add up to the subtotal.
 * `family_review`: a line matched no revenue rule and went to `other`.
 */
export type InvoiceFlag = 'tax_mismatch' | 'subtotal_mismatch' | 'family_review';
/** Flags that stop posting; `family_review` is a warning (the line is booked to `other`). */
export const BLOCKING_FLAGS: readonly InvoiceFlag[] = ['tax_mismatch', 'subtotal_mismatch'];

export interface PreparedLine {
  position: number;
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  /** The source amount, exact. */
  amount: Decimal;
  family: string;
  matched: boolean;
  periodStart: Date | null;
}

export interface PreparedInvoice {
  lines: PreparedLine[];
  /** Cents per family, summing to `subtotal`. */
  revenueByFamily: [string, Decimal][];
  subtotal: Decimal;
  tax: Decimal;
  total: Decimal;
  taxRate: number;
  flags: InvoiceFlag[];
  /** One human sentence per flag. */
  problems: string[];
}

function decimalOr(value: string | null, fallback: Decimal): Decimal {
  if (value === null || value === undefined || `${value}`.trim() === '') return fallback;
  return new Dec(value);
}

/**
 * Round each share to cents so that they add up exactly to `total` (largest remainder): rounding
 * every family half up on its own could leave the entry a cent off the invoice.
 */
export function allocateCents(shares: readonly (readonly [string, Decimal])[], total: Decimal): [string, Decimal][] {
  const rounded = shares.map(([key, exact]) => ({ key, exact, cents: roundHalfUp(exact, MONEY_SCALE) }));
  let diff = total.minus(rounded.reduce((sum, r) => sum.plus(r.cents), ZERO as Decimal));
  const cent = new Dec('0.01');
  while (!diff.isZero() && rounded.length > 0) {
    const step = diff.gt(0) ? cent : cent.neg();
    // The share whose rounding moved it furthest against the needed direction absorbs the cent.
    let best = rounded[0]!;
    for (const r of rounded) {
      if (r.exact.minus(r.cents).mul(step.s).gt(best.exact.minus(best.cents).mul(step.s))) best = r;
    }
    best.cents = best.cents.plus(step);
    diff = diff.minus(step);
  }
  return rounded.map((r) => [r.key, r.cents]);
}

export function prepareInvoice(input: InvoiceInput, rules: readonly RevenueFamilyRuleData[]): PreparedInvoice {
  const sourceSubtotal = new Dec(input.subtotal);
  const sourceLines = input.lines.length > 0
    ? input.lines
    : [{ description: null, quantity: '1', unitPrice: input.subtotal, amount: input.subtotal, periodStart: null }];
  const lines: PreparedLine[] = sourceLines.map((l, index) => {
    const quantity = decimalOr(l.quantity, new Dec(1));
    const unitPrice = decimalOr(l.unitPrice, decimalOr(l.amount, ZERO));
    const amount = decimalOr(l.amount, quantity.mul(unitPrice));
    const classified = classifyRevenue(l.description, rules);
    return {
      position: index + 1,
      description: (l.description ?? '').trim() || (input.lines.length > 0 ? '(no description)' : '(invoice without items)'),
      quantity,
      unitPrice,
      amount,
      family: classified.family,
      matched: classified.matched,
      periodStart: l.periodStart,
    };
  });

  const exactByFamily = new Map<string, Decimal>();
  for (const l of lines) exactByFamily.set(l.family, (exactByFamily.get(l.family) ?? ZERO).plus(l.amount));
  const itemsTotal = [...exactByFamily.values()].reduce((sum, v) => sum.plus(v), ZERO as Decimal);
  const subtotal = roundHalfUp(sourceSubtotal, MONEY_SCALE);
  const revenueByFamily = allocateCents([...exactByFamily.entries()], roundHalfUp(itemsTotal, MONEY_SCALE));

  const flags: InvoiceFlag[] = [];
  const problems: string[] = [];
  if (!roundHalfUp(itemsTotal, MONEY_SCALE).eq(subtotal)) {
    flags.push('subtotal_mismatch');
    problems.push(`items add up to ${itemsTotal.toFixed(2)} but the subtotal is ${subtotal.toFixed(2)}`);
  }
  const tax = checkTax(input.subtotal, input.tax);
  if (!tax.matches) {
    flags.push('tax_mismatch');
    problems.push(`tax ${tax.sourceTax.toFixed(2)} on ${subtotal.toFixed(2)} is not ${tax.rate}% (computed ${tax.computedTax.toFixed(2)})`);
  }
  const unmatched = lines.filter((l) => !l.matched);
  if (unmatched.length > 0) {
    flags.push('family_review');
    problems.push(`booked to "${OTHER_FAMILY}" for review: ${unmatched.map((l) => `"${l.description}"`).join(', ')}`);
  }
  return {
    lines,
    revenueByFamily,
    subtotal,
    tax: tax.sourceTax,
    total: subtotal.plus(tax.sourceTax),
    taxRate: tax.rate,
    flags,
    problems,
  };
}

export function isBlocked(flags: readonly string[]): boolean {
  return flags.some((flag) => (BLOCKING_FLAGS as readonly string[]).includes(flag));
}

/**
 * A fingerprint of what an invoice says (customer, date, currency, amounts, items), so a posted
 * invoice that changed upstream is noticed and reported instead of being silently re-booked.
 * Payment status is not part of it: payments are booked as their own entries.
 */
export function invoiceFingerprint(input: {
  customerKey: string;
  issuedAt: Date;
  currency: string;
  subtotal: string;
  tax: string;
  lines: readonly InvoiceLineInput[];
}): string {
  const canonical = JSON.stringify([
    input.customerKey,
    input.issuedAt.toISOString(),
    input.currency,
    new Dec(input.subtotal).toFixed(6),
    new Dec(input.tax).toFixed(6),
    input.lines.map((l) => [
      (l.description ?? '').trim(),
      l.quantity === null ? null : new Dec(l.quantity).toFixed(6),
      l.unitPrice === null ? null : new Dec(l.unitPrice).toFixed(6),
      l.amount === null ? null : new Dec(l.amount).toFixed(6),
      l.periodStart ? l.periodStart.toISOString() : null,
    ]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
