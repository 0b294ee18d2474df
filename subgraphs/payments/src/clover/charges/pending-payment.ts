import type { ServiceRuntime } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import type { CardSource } from './card-source.js';
import type { CollectRequest } from './collect-request.js';
import type { MoneyTarget } from './connection-guard.js';
import { claimIdempotent, newPaymentId } from './idempotency.js';
import type { TerminalRunner } from './terminal-runner.js';

/** What the caller decides about a new Clover payment row; the rest is the same for every row. */
export type PendingFields = Partial<Payment> &
  Pick<Payment, 'kind' | 'amountValue' | 'currency' | 'connectionId' | 'providerOperation' | 'idempotencyKey' | 'requestHash'>;

/**
 * A new Clover payment row as it is stored before Clover is called: `pending`, on its first
 * attempt, with a fresh id (which doubles as Clover's `Idempotency-Key`).
 */
export function pendingPayment(fields: PendingFields): Payment {
  const now = new Date();
  return Object.assign(new Payment(), {
    ...fields,
    id: newPaymentId(),
    provider: 'clover',
    status: 'pending',
    attempts: 1,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * A pending charge or credit asked for by a collect-style request: its references and customer
 * from the request, the connection and terminal from the target, the card from the card source.
 */
export function pendingCardPayment(
  request: CollectRequest,
  { connection, currency, terminal }: MoneyTarget,
  { sourceToken, card }: CardSource,
  fields: Pick<PendingFields, 'kind' | 'amountValue' | 'providerOperation' | 'idempotencyKey' | 'requestHash' | 'baseAmountValue' | 'surchargeAmountValue'>,
): Payment {
  return pendingPayment({
    ...fields,
    currency,
    reference: request.invoiceId ?? request.orderId ?? null,
    invoiceId: request.invoiceId ?? null,
    orderId: request.orderId ?? null,
    customerEmail: request.customerEmail ?? null,
    description: request.description ?? null,
    connectionId: connection.id,
    method: terminal ? 'terminal' : 'card',
    channel: terminal ? null : request.channel,
    terminalId: terminal?.id ?? null,
    sourceToken: sourceToken ?? null,
    cardBrand: card?.brand ?? null,
    cardLast4: card?.last4 ?? null,
  });
}

/**
 * Stores a new pending charge or credit and sets it going: a terminal one in the background (the
 * device answers only when the customer is done), a card one now through `sendCard`. When the
 * same request stored its payment first, that one is resumed instead.
 */
export async function claimAndStart(
  runtime: ServiceRuntime,
  runner: TerminalRunner,
  row: Payment,
  next: { resume(earlier: Payment): Promise<Payment>; sendCard(row: Payment): Promise<Payment> },
): Promise<Payment> {
  const claim = await claimIdempotent(runtime, row);
  if (!claim.created) return next.resume(claim.payment);
  if (row.method === 'terminal') {
    runner.run(row.id);
    return row;
  }
  return next.sendCard(row);
}
