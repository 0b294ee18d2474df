import { Decimal, normalizeEmail, parseAmount } from '@switchboard/kit';
import { CloverInputError } from '../domain-errors.js';
import { checkCard, type CardInput, type CheckedCard } from '../tokenization/card-rules.js';

/** What the back office (or a portal) asks for, before validation. */
export interface CollectInput {
  connectionId: string;
  idempotencyKey: string;
  /** Amount before the card processing fee, e.g. "120.00". */
  amount: string;
  currency?: string | null;
  /** A single-use token from Clover's hosted iframe (`clv_…`). */
  cardToken?: string | null;
  /** A card keyed in by staff: tokenized server-side, never stored. */
  card?: CardInput | null;
  /** Collect on a terminal: the one named, or the connection's default when `terminal` is true. */
  terminal?: boolean | null;
  terminalId?: string | null;
  invoiceId?: string | null;
  orderId?: string | null;
  customerEmail?: string | null;
  description?: string | null;
  /** Add the connection's surcharge (default true). */
  applySurcharge?: boolean | null;
  /** Authorize only; capture later (cards only; default false). */
  authorizeOnly?: boolean | null;
  /** `moto` (default: staff keyed it or took it by phone) or `ecom` (the customer did, online). */
  channel?: string | null;
}

export type PaymentSource =
  | { kind: 'token'; token: string }
  | { kind: 'card'; card: CheckedCard }
  | { kind: 'terminal'; terminalId?: string };

export interface CollectRequest {
  connectionId: string;
  idempotencyKey: string;
  baseAmount: Decimal;
  currency?: string;
  source: PaymentSource;
  invoiceId?: string;
  orderId?: string;
  customerEmail?: string;
  description?: string;
  applySurcharge: boolean;
  authorizeOnly: boolean;
  channel: 'moto' | 'ecom';
}

/** Largest amount accepted in one collection (a typo guard, far above any real invoice). */
export const MAX_AMOUNT = new Decimal('999999.99');

/** Validates everything that can be checked without I/O; names the bad field. */
export function parseCollectInput(input: CollectInput, options: { requireReference: boolean }): CollectRequest {
  const baseAmount = parseAmount(input.amount, 2);
  if (!baseAmount || baseAmount.lte(0)) throw new CloverInputError('amount must be a positive decimal string with at most 2 decimals, e.g. "12.34"', 'amount');
  if (baseAmount.gt(MAX_AMOUNT)) throw new CloverInputError(`amount cannot exceed ${MAX_AMOUNT.toFixed(2)}`, 'amount');

  const wantsTerminal = input.terminal === true || !!input.terminalId;
  const sources = [!!input.cardToken, !!input.card, wantsTerminal].filter(Boolean).length;
  if (sources !== 1) throw new CloverInputError('give exactly one of cardToken, card, or terminal/terminalId', 'source');
  let source: PaymentSource;
  if (input.cardToken) {
    const token = input.cardToken.trim();
    if (!/^clv_[A-Za-z0-9_-]{4,120}$/.test(token)) throw new CloverInputError('cardToken must be a Clover card token (clv_…)', 'cardToken');
    source = { kind: 'token', token };
  } else if (input.card) {
    const checked = checkCard(input.card);
    if (!checked.ok) {
      const first = checked.problems[0]!;
      throw new CloverInputError(checked.problems.map((p) => p.message).join('; '), `card.${first.field}`);
    }
    source = { kind: 'card', card: checked.card };
  } else {
    source = { kind: 'terminal', terminalId: input.terminalId?.trim() || undefined };
  }

  const invoiceId = reference(input.invoiceId, 'invoiceId');
  const orderId = reference(input.orderId, 'orderId');
  if (options.requireReference && !invoiceId && !orderId) {
    throw new CloverInputError('give the invoiceId or orderId this payment settles', 'invoiceId');
  }
  let customerEmail: string | undefined;
  if (input.customerEmail?.trim()) {
    customerEmail = normalizeEmail(input.customerEmail) ?? undefined;
    if (!customerEmail || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customerEmail)) throw new CloverInputError('customerEmail is not an email address', 'customerEmail');
  }
  const description = input.description?.trim() || undefined;
  if (description && description.length > 255) throw new CloverInputError('description is longer than 255 characters', 'description');
  const channel = (input.channel ?? 'moto').toLowerCase();
  if (channel !== 'moto' && channel !== 'ecom') throw new CloverInputError('channel must be moto or ecom', 'channel');
  if (input.authorizeOnly && source.kind === 'terminal') throw new CloverInputError('authorizeOnly is for card payments, not terminals', 'authorizeOnly');
  const currency = input.currency?.trim().toUpperCase() || undefined;
  if (currency && !/^[A-Z]{3}$/.test(currency)) throw new CloverInputError('currency must be an ISO 4217 code', 'currency');

  return {
    connectionId: input.connectionId,
    idempotencyKey: input.idempotencyKey,
    baseAmount,
    currency,
    source,
    invoiceId,
    orderId,
    customerEmail,
    description,
    applySurcharge: input.applySurcharge !== false,
    authorizeOnly: input.authorizeOnly === true,
    channel,
  };
}

function reference(value: string | null | undefined, field: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.length > 100) throw new CloverInputError(`${field} is longer than 100 characters`, field);
  return text;
}
