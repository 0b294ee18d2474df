import { Decimal, type ServiceRuntime } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import type { CloverConfig } from '../config.js';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverInputError, CloverNotFoundError, CloverStateError } from '../domain-errors.js';
import type { CloverEcommerce, EcomCharge } from '../ecommerce/ecommerce-api.js';
import { CloverRequestRejected } from '../http/errors.js';
import { toCents } from '../money/cents.js';
import { applySurcharge } from '../surcharge/surcharge.js';
import type { CloverTerminals } from '../terminals/terminal-service.js';
import type { CloverTokenizer } from '../tokenization/tokenizer.js';
import { cardSourceOf } from './card-source.js';
import { loadConnection, resolveTarget } from './connection-guard.js';
import { parseCollectInput, type CollectInput, type CollectRequest } from './collect-request.js';
import { findByKey, requestHash, resumePending, scopedKey } from './idempotency.js';
import type { PaymentRecorder } from './payment-recorder.js';
import { claimAndStart, pendingCardPayment } from './pending-payment.js';
import type { TerminalRunner } from './terminal-runner.js';

export interface CollectDeps {
  runtime: ServiceRuntime;
  config: CloverConfig;
  ecommerce: CloverEcommerce;
  tokenizer: CloverTokenizer;
  terminals: CloverTerminals;
  runner: TerminalRunner;
  recorder: PaymentRecorder;
}

/**
 * Collecting money with Clover: a card token, a keyed card (tokenized server-side) or a terminal;
 * plus capture and void. Every collection is a `Payment` row created `pending` before Clover is
 * called, keyed by the client's idempotency key: the same request again — even concurrently —
 * is the same payment and at most one charge at Clover (our payment id is Clover's
 * `Idempotency-Key`).
 */
export class CloverCollections {
  constructor(private readonly deps: CollectDeps) {}

  async collect(input: CollectInput): Promise<Payment> {
    const request = parseCollectInput(input, { requireReference: true });
    const { runtime } = this.deps;
    const target = await resolveTarget(runtime.db, this.deps.terminals, request, 'collects');
    const { connection, currency, terminal } = target;

    const key = scopedKey(connection.id, 'charge', request.idempotencyKey);
    const hash = requestHash({
      amount: request.baseAmount.toFixed(2),
      currency,
      source: fingerprint(request, terminal?.id),
      invoiceId: request.invoiceId,
      orderId: request.orderId,
      customerEmail: request.customerEmail,
      applySurcharge: request.applySurcharge,
      authorizeOnly: request.authorizeOnly,
      channel: request.channel,
    });
    const earlier = await findByKey(runtime.db.em(), key, hash);
    if (earlier) return this.resume(earlier);

    const amounts = applySurcharge(request.baseAmount, request.applySurcharge ? surchargeRule(connection) : undefined);
    const source = await cardSourceOf(this.deps.tokenizer, connection, request.source);
    const row = pendingCardPayment(request, target, source, {
      kind: 'charge',
      amountValue: amounts.total,
      baseAmountValue: amounts.base,
      surchargeAmountValue: amounts.surcharge,
      providerOperation: terminal ? 'terminal_payment' : request.authorizeOnly ? 'authorize' : 'charge',
      idempotencyKey: key,
      requestHash: hash,
    });
    return claimAndStart(runtime, this.deps.runner, row, {
      resume: (earlier) => this.resume(earlier),
      sendCard: (pending) => this.chargeCard(pending, connection),
    });
  }

  /** Captures an authorized charge in full. */
  async capture(paymentId: string): Promise<Payment> {
    const payment = await this.cloverCharge(paymentId);
    if (payment.status !== 'authorized') throw new CloverStateError(`only an authorized charge can be captured (this one is ${payment.status})`, 'not_authorized');
    const connection = await loadConnection(this.deps.runtime.db, payment.connectionId!);
    try {
      await this.deps.ecommerce.capture(connection, payment.providerPaymentId!, undefined, `${payment.id}-capture`);
    } catch (error) {
      if (error instanceof CloverRequestRejected) throw new CloverStateError(`Clover refused the capture: ${error.cloverMessage}`, 'capture_refused');
      throw error;
    }
    await this.deps.recorder.transition(payment.id, 'authorized', { status: 'succeeded' });
    return this.reload(payment.id);
  }

  /** Cancels a charge before settlement. After the batch closed, Clover refuses: refund instead. */
  async void(paymentId: string, reason?: string | null): Promise<Payment> {
    const payment = await this.cloverCharge(paymentId);
    if (payment.status === 'voided') return payment;
    if (new Decimal(payment.refundedAmountValue).gt(0) || payment.status === 'partially_refunded' || payment.status === 'refunded') {
      throw new CloverStateError('a charge with refunds cannot be voided; refund the rest instead', 'has_refunds');
    }
    if (payment.status !== 'succeeded' && payment.status !== 'authorized') {
      throw new CloverStateError(`only a successful or authorized charge can be voided (this one is ${payment.status})`, 'not_voidable');
    }
    const connection = await loadConnection(this.deps.runtime.db, payment.connectionId!);
    const why = reason?.trim().slice(0, 100) || 'USER_CANCEL';
    try {
      await this.deps.ecommerce.voidPayment(connection, payment.providerPaymentId!, why, `${payment.id}-void`);
    } catch (error) {
      if (error instanceof CloverRequestRejected) {
        if (error.cloverCode === 'payment_settled') {
          throw new CloverStateError('Clover has already settled this payment; refund it instead', 'payment_settled');
        }
        if (error.cloverCode !== 'already_voided') throw new CloverStateError(`Clover refused the void: ${error.cloverMessage}`, 'void_refused');
      } else throw error;
    }
    await this.deps.recorder.transition(payment.id, ['succeeded', 'authorized'], { status: 'voided' });
    return this.reload(payment.id);
  }

  /**
   * Asks Clover again for a pending card charge, with the same idempotency key: Clover answers
   * with the charge it already made, or makes it now — never a second one.
   */
  async redrive(payment: Payment): Promise<Payment> {
    if (payment.status !== 'pending' || payment.method !== 'card' || !payment.sourceToken) return payment;
    const connection = await loadConnection(this.deps.runtime.db, payment.connectionId!);
    return this.chargeCard(payment, connection);
  }

  private async chargeCard(payment: Payment, connection: CloverConnection): Promise<Payment> {
    const authorizeOnly = payment.providerOperation === 'authorize';
    const { ecommerce, recorder } = this.deps;
    try {
      const charge = await ecommerce.createCharge(
        connection,
        {
          amountCents: toCents(payment.amountValue),
          currency: payment.currency,
          source: payment.sourceToken!,
          capture: !authorizeOnly,
          ecomind: payment.channel === 'ecom' ? 'ecom' : 'moto',
          description: payment.description ?? payment.reference ?? undefined,
          receiptEmail: payment.customerEmail ?? undefined,
        },
        payment.id,
      );
      await recorder.transition(payment.id, 'pending', chargeChanges(charge, authorizeOnly));
    } catch (error) {
      await recorder.recordCallError(payment.id, error, 'charge');
    }
    return this.reload(payment.id);
  }

  /** A request seen before: its result, after letting a concurrent first attempt finish. */
  private async resume(existing: Payment): Promise<Payment> {
    if (existing.status !== 'pending' || existing.method === 'terminal') return existing;
    return resumePending(this.deps.runtime.db, existing, this.deps.config.httpTimeoutMs + 1_000, (payment) => this.redrive(payment));
  }

  private async cloverCharge(paymentId: string): Promise<Payment> {
    const payment = await this.deps.runtime.db.em().findOne(Payment, { id: paymentId });
    if (!payment || payment.provider !== 'clover') throw new CloverNotFoundError(`no Clover payment ${paymentId}`);
    if (payment.kind !== 'charge') throw new CloverInputError(`payment ${paymentId} is a ${payment.kind}, not a charge`, 'paymentId');
    return payment;
  }

  private reload(paymentId: string): Promise<Payment> {
    return this.deps.runtime.db.em().findOneOrFail(Payment, { id: paymentId });
  }
}

function chargeChanges(charge: EcomCharge, authorizeOnly: boolean) {
  return {
    status: authorizeOnly || charge.captured === false ? 'authorized' : 'succeeded',
    providerPaymentId: charge.id,
    providerCreatedAt: charge.created ? new Date(charge.created) : new Date(),
    cardBrand: charge.source?.brand ?? null,
    cardLast4: charge.source?.last4 ?? null,
  } as const;
}

function surchargeRule(connection: CloverConnection) {
  return { percent: new Decimal(connection.surchargePercent), fixed: new Decimal(connection.surchargeFixed) };
}

/** Identifies the payment source in the request hash without any card number. */
function fingerprint(request: CollectRequest, terminalId: string | undefined): string {
  switch (request.source.kind) {
    case 'token':
      return `token:${request.source.token}`;
    case 'card':
      return `card:${request.source.card.brand}:${request.source.card.last4}:${request.source.card.expMonth}/${request.source.card.expYear}`;
    case 'terminal':
      return `terminal:${terminalId}`;
  }
}
