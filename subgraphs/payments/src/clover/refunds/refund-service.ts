import { LockMode, type EntityManager } from '@mikro-orm/core';
import { Decimal, formatAmount, parseAmount, type Dialect } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import { cardSourceOf } from '../charges/card-source.js';
import type { CollectDeps } from '../charges/collect-service.js';
import { parseCollectInput, type CollectInput } from '../charges/collect-request.js';
import { assertUsable, loadConnection, resolveTarget } from '../charges/connection-guard.js';
import { claimIdempotent, findByKey, requestHash, resumePending, scopedKey } from '../charges/idempotency.js';
import { claimAndStart, pendingCardPayment, pendingPayment } from '../charges/pending-payment.js';
import type { CloverConnection } from '../connections/clover-connection.js';
import { CloverInputError, CloverNotFoundError, CloverStateError } from '../domain-errors.js';
import { fromCents, toCents } from '../money/cents.js';
import { planRefund, refundWindowOpen, REFUND_WINDOW_DAYS, type RefundRoute } from './refund-rules.js';

export interface RefundInput {
  paymentId: string;
  /** Omitted: everything still refundable. */
  amount?: string | null;
  reason?: string | null;
  idempotencyKey: string;
}

export type CreditInput = Omit<CollectInput, 'applySurcharge' | 'authorizeOnly'>;

/** Money back goes through the same Clover surfaces as collecting it. */
export type RefundDeps = CollectDeps;

/** Refunding a charge raced by another refund of the same charge: plan again. */
class ReservationConflict extends Error {}

/**
 * Money back: refunds of a Clover charge (full or partial, within 180 days, verified against
 * Clover first) and non-referenced credits. A refund is a `Payment` of kind `refund` whose
 * amount is reserved on the charge before Clover is called, so concurrent refunds can never add
 * up to more than was charged.
 */
export class CloverRefunds {
  constructor(private readonly deps: RefundDeps) {}

  async refund(input: RefundInput): Promise<Payment> {
    const requested = input.amount == null || input.amount === '' ? undefined : parseAmount(input.amount, 2);
    if (input.amount != null && input.amount !== '' && (!requested || requested.lte(0))) {
      throw new CloverInputError('amount must be a positive decimal string with at most 2 decimals (omit it to refund everything left)', 'amount');
    }
    const reason = input.reason?.trim().slice(0, 255) || undefined;
    const { runtime } = this.deps;
    const charge = await this.refundableCharge(input.paymentId);
    const connection = await loadConnection(runtime.db, charge.connectionId!);
    assertUsable(connection, 'ecommerce');
    const key = scopedKey(connection.id, 'refund', input.idempotencyKey);
    const hash = requestHash({ paymentId: charge.id, amount: requested ? formatAmount(requested) : 'rest' });
    const earlier = await findByKey(runtime.db.em(), key, hash);
    if (earlier) return this.resume(earlier);

    const chargedAt = charge.providerCreatedAt ?? charge.createdAt;
    if (!refundWindowOpen(chargedAt)) {
      throw new CloverStateError(`refunds are only possible within ${REFUND_WINDOW_DAYS} days of the payment (charged ${chargedAt.toISOString().slice(0, 10)})`, 'refund_window_expired');
    }
    // Pre-refund verification: Clover's view wins (a refund may have been made on the dashboard).
    const atClover = await this.deps.ecommerce.getCharge(connection, charge.providerPaymentId!);
    if (atClover.status === 'voided') throw new CloverStateError('Clover shows this payment as voided', 'voided');

    for (let attempt = 1; ; attempt++) {
      const current = await runtime.db.em().findOneOrFail(Payment, { id: charge.id });
      const refundedHere = new Decimal(current.refundedAmountValue);
      const refundedThere = new Decimal(fromCents(atClover.amount_refunded ?? 0));
      const already = Decimal.max(refundedHere, refundedThere);
      const plan = planRefund(current.amountValue, already, requested);
      if (!plan.ok) throw new CloverStateError(plan.message, 'not_refundable');
      const row = pendingPayment({
        kind: 'refund',
        amountValue: plan.amount,
        currency: current.currency,
        reference: current.reference ?? null,
        invoiceId: current.invoiceId ?? null,
        orderId: current.orderId ?? null,
        customerEmail: current.customerEmail ?? null,
        description: reason ?? null,
        connectionId: connection.id,
        parentPaymentId: current.id,
        method: current.method ?? null,
        cardBrand: current.cardBrand ?? null,
        cardLast4: current.cardLast4 ?? null,
        providerOperation: `refund_${plan.route}`,
        idempotencyKey: key,
        requestHash: hash,
      });
      try {
        const claim = await claimIdempotent(runtime, row, (em) => reserve(em, current, already.plus(plan.amount)));
        if (!claim.created) return this.resume(claim.payment);
        return await this.send(row, current, connection);
      } catch (error) {
        if (error instanceof ReservationConflict && attempt < 5) continue;
        if (error instanceof ReservationConflict) throw new CloverStateError('the payment is being refunded concurrently; try again', 'concurrent_refund');
        throw error;
      }
    }
  }

  /** Money to a card without an original charge (Clover "non-referenced credit"): card token, keyed card or terminal. */
  async credit(input: CreditInput): Promise<Payment> {
    const request = parseCollectInput({ ...input, applySurcharge: false, authorizeOnly: false }, { requireReference: false });
    const { runtime } = this.deps;
    const target = await resolveTarget(runtime.db, this.deps.terminals, request, 'pays out');
    const { connection, currency, terminal } = target;
    const key = scopedKey(connection.id, 'credit', request.idempotencyKey);
    const source = request.source.kind === 'token'
      ? `token:${request.source.token}`
      : request.source.kind === 'card'
        ? `card:${request.source.card.brand}:${request.source.card.last4}`
        : `terminal:${terminal!.id}`;
    const hash = requestHash({ amount: request.baseAmount.toFixed(2), currency, source, invoiceId: request.invoiceId, orderId: request.orderId, customerEmail: request.customerEmail });
    const earlier = await findByKey(runtime.db.em(), key, hash);
    if (earlier) return this.resume(earlier);

    const cardSource = await cardSourceOf(this.deps.tokenizer, connection, request.source);
    const row = pendingCardPayment(request, target, cardSource, {
      kind: 'credit',
      amountValue: formatAmount(request.baseAmount),
      providerOperation: terminal ? 'terminal_credit' : 'credit',
      idempotencyKey: key,
      requestHash: hash,
    });
    return claimAndStart(runtime, this.deps.runner, row, {
      resume: (earlier) => this.resume(earlier),
      sendCard: (pending) => this.send(pending, undefined, connection),
    });
  }

  /** Asks Clover again for a pending refund or card credit, with the same idempotency key. */
  async redrive(payment: Payment): Promise<Payment> {
    if (payment.status !== 'pending' || payment.method === 'terminal') return payment;
    const connection = await loadConnection(this.deps.runtime.db, payment.connectionId!);
    const charge = payment.parentPaymentId ? await this.deps.runtime.db.em().findOne(Payment, { id: payment.parentPaymentId }) : undefined;
    if (payment.kind === 'refund' && !charge) return payment;
    if (payment.kind === 'credit' && !payment.sourceToken) return payment;
    return this.send(payment, charge ?? undefined, connection);
  }

  private async send(payment: Payment, charge: Payment | undefined, connection: CloverConnection): Promise<Payment> {
    const { ecommerce, recorder } = this.deps;
    try {
      if (payment.kind === 'credit') {
        const credit = await ecommerce.credit(
          connection,
          { amountCents: toCents(payment.amountValue), currency: payment.currency, source: payment.sourceToken!, description: payment.description ?? undefined },
          payment.id,
        );
        await recorder.transition(payment.id, 'pending', {
          status: 'succeeded',
          providerPaymentId: credit.id,
          providerCreatedAt: credit.created ? new Date(credit.created) : new Date(),
          cardBrand: credit.source?.brand ?? payment.cardBrand ?? null,
          cardLast4: credit.source?.last4 ?? payment.cardLast4 ?? null,
        });
      } else {
        const route = (payment.providerOperation?.replace('refund_', '') ?? 'partial') as RefundRoute;
        const chargeId = charge!.providerPaymentId!;
        const refund =
          route === 'full'
            ? await ecommerce.refundInFull(connection, chargeId, payment.id)
            : await ecommerce.refundPayment(connection, chargeId, route === 'remaining' ? 'rest' : { cents: toCents(payment.amountValue) }, payment.id);
        await recorder.transition(
          payment.id,
          'pending',
          {
            status: 'succeeded',
            providerPaymentId: refund.id,
            providerCreatedAt: refund.created ? new Date(refund.created) : new Date(),
            // Clover decides the amount of a "refund the rest": record what it refunded.
            amountValue: fromCents(refund.amount),
          },
          (em) => settleChargeStatus(em, charge!.id, this.deps.runtime.db.dialect),
        );
      }
    } catch (error) {
      await recorder.recordCallError(payment.id, error, 'refund', async (em, refund) => {
        if (refund.kind === 'refund' && charge) await release(em, charge.id, refund.amountValue);
      });
    }
    return this.deps.runtime.db.em().findOneOrFail(Payment, { id: payment.id });
  }

  private async resume(existing: Payment): Promise<Payment> {
    if (existing.status !== 'pending' || (existing.method === 'terminal' && existing.kind === 'credit')) return existing;
    return resumePending(this.deps.runtime.db, existing, this.deps.config.httpTimeoutMs + 1_000, (payment) => this.redrive(payment));
  }

  private async refundableCharge(paymentId: string): Promise<Payment> {
    const charge = await this.deps.runtime.db.em().findOne(Payment, { id: paymentId });
    if (!charge || charge.provider !== 'clover') throw new CloverNotFoundError(`no Clover payment ${paymentId}`);
    if (charge.kind !== 'charge') throw new CloverInputError(`payment ${paymentId} is a ${charge.kind}; only charges can be refunded`, 'paymentId');
    switch (charge.status) {
      case 'succeeded':
      case 'partially_refunded':
        return charge;
      case 'authorized':
        throw new CloverStateError('the charge has not been captured: void it instead', 'not_captured');
      case 'refunded':
        throw new CloverStateError('the payment has already been refunded in full', 'already_refunded');
      default:
        throw new CloverStateError(`a ${charge.status} payment cannot be refunded`, 'not_refundable');
    }
  }
}

/** Compare-and-set of the charge's refunded total: loses to a concurrent refund, never over-refunds. */
async function reserve(em: EntityManager, charge: Payment, refundedAfter: Decimal): Promise<void> {
  const changed = await em.nativeUpdate(
    Payment,
    { id: charge.id, refundedAmountValue: charge.refundedAmountValue },
    { refundedAmountValue: formatAmount(refundedAfter), updatedAt: new Date() },
  );
  if (changed !== 1) throw new ReservationConflict();
}

/** Gives back the amount of a refund Clover refused. */
async function release(em: EntityManager, chargeId: string, amount: string): Promise<void> {
  for (;;) {
    const charge = await em.findOneOrFail(Payment, { id: chargeId }, { refresh: true });
    const after = Decimal.max(0, new Decimal(charge.refundedAmountValue).minus(amount));
    const changed = await em.nativeUpdate(Payment, { id: chargeId, refundedAmountValue: charge.refundedAmountValue }, { refundedAmountValue: formatAmount(after) });
    if (changed === 1) return;
  }
}

/**
 * `refunded` once the succeeded refunds cover the charge, `partially_refunded` before. The charge
 * row is locked first: concurrent settlements then run one after another, each seeing the refunds
 * and reservations committed before it, so none writes back a stale refunded total.
 */
async function settleChargeStatus(em: EntityManager, chargeId: string, dialect: Dialect): Promise<void> {
  const lock = dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
  const charge = await em.findOneOrFail(Payment, { id: chargeId }, { refresh: true, ...lock });
  const refunds = await em.find(Payment, { parentPaymentId: chargeId, kind: 'refund', status: 'succeeded' }, { refresh: true });
  const refunded = refunds.reduce((sum, refund) => sum.plus(refund.amountValue), new Decimal(0));
  const status = refunded.gte(charge.amountValue) ? 'refunded' : 'partially_refunded';
  // Keep the reservation total consistent with Clover's answer for a "refund the rest".
  const reserved = Decimal.max(new Decimal(charge.refundedAmountValue), refunded);
  await em.nativeUpdate(Payment, { id: chargeId }, { status, refundedAmountValue: formatAmount(reserved), updatedAt: new Date() });
}
