import type { CloverConfig } from '../config.js';
import type { CloverConnection } from '../connections/clover-connection.js';
import type { CloverApi } from '../http/clover-api.js';

/** What Clover returns for a charge (the fields we use). */
export interface EcomCharge {
  id: string;
  amount: number;
  amount_refunded?: number;
  currency: string;
  /** Epoch milliseconds. */
  created?: number;
  captured?: boolean;
  status?: string;
  source?: { brand?: string; last4?: string; first6?: string };
}

export interface EcomRefund {
  id: string;
  amount: number;
  charge?: string;
  created?: number;
  status?: string;
}

export interface EcomCredit {
  id: string;
  amount: number;
  created?: number;
  status?: string;
  source?: { brand?: string; last4?: string };
}

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  /** Single-use card token (`clv_…`). */
  source: string;
  capture: boolean;
  /** `moto` for back-office keyed cards, `ecom` for online. */
  ecomind: 'moto' | 'ecom';
  description?: string;
  receiptEmail?: string;
}

/**
 * The ecommerce API (charges, capture, refunds, void, credits) with Clover's wire rules: integer
 * cents, an `Idempotency-Key` on every money movement, `x-forwarded-for` on card-not-present calls.
 */
export class CloverEcommerce {
  constructor(private readonly api: CloverApi, private readonly config: CloverConfig) {}

  /** The public key for tokenization (seed quirk 12: only on the ecommerce host). */
  async pakmsKey(connection: CloverConnection): Promise<string> {
    const body = await this.api.call<{ apiAccessKey?: string }>(connection, { surface: 'ecommerce', method: 'GET', path: '/pakms/apikey' });
    if (!body?.apiAccessKey) throw new Error('PAKMS answered without apiAccessKey');
    return body.apiAccessKey;
  }

  createCharge(connection: CloverConnection, request: ChargeRequest, idempotencyKey: string): Promise<EcomCharge> {
    return this.api.call<EcomCharge>(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: '/v1/charges',
      headers: this.moneyHeaders(idempotencyKey),
      body: {
        amount: request.amountCents,
        currency: request.currency.toLowerCase(),
        source: request.source,
        capture: request.capture,
        ecomind: request.ecomind,
        ...(request.description ? { description: request.description.slice(0, 255) } : {}),
        ...(request.receiptEmail ? { receipt_email: request.receiptEmail } : {}),
      },
    });
  }

  getCharge(connection: CloverConnection, chargeId: string): Promise<EcomCharge> {
    return this.api.call<EcomCharge>(connection, { surface: 'ecommerce', method: 'GET', path: `/v1/charges/${encodeURIComponent(chargeId)}` });
  }

  capture(connection: CloverConnection, chargeId: string, amountCents: number | undefined, idempotencyKey: string): Promise<EcomCharge> {
    return this.api.call<EcomCharge>(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: `/v1/charges/${encodeURIComponent(chargeId)}/capture`,
      headers: this.moneyHeaders(idempotencyKey),
      body: amountCents === undefined ? {} : { amount: amountCents },
    });
  }

  /** Full refund of an untouched charge: the body is `{charge}` and nothing else (seed quirk 14). */
  refundInFull(connection: CloverConnection, chargeId: string, idempotencyKey: string): Promise<EcomRefund> {
    return this.api.call<EcomRefund>(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: '/v1/refunds',
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { charge: chargeId },
    });
  }

  /** Partial (`{amount}`) or the rest (`{fullRefund: true}`) via `/v1/payments/{id}/refunds`. */
  refundPayment(connection: CloverConnection, paymentId: string, amount: { cents: number } | 'rest', idempotencyKey: string): Promise<EcomRefund> {
    return this.api.call<EcomRefund>(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: `/v1/payments/${encodeURIComponent(paymentId)}/refunds`,
      headers: { 'Idempotency-Key': idempotencyKey },
      body: amount === 'rest' ? { fullRefund: true } : { amount: amount.cents },
    });
  }

  voidPayment(connection: CloverConnection, paymentId: string, reason: string, idempotencyKey: string): Promise<unknown> {
    return this.api.call(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: `/v1/payments/${encodeURIComponent(paymentId)}/void`,
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { void_reason: reason },
    });
  }

  /** Non-referenced credit to a card (money back without an original charge). */
  credit(connection: CloverConnection, request: { amountCents: number; currency: string; source: string; description?: string }, idempotencyKey: string): Promise<EcomCredit> {
    return this.api.call<EcomCredit>(connection, {
      surface: 'ecommerce',
      method: 'POST',
      path: '/v1/credits',
      headers: this.moneyHeaders(idempotencyKey),
      body: {
        amount: request.amountCents,
        currency: request.currency.toLowerCase(),
        source: request.source,
        ...(request.description ? { description: request.description.slice(0, 255) } : {}),
      },
    });
  }

  private moneyHeaders(idempotencyKey: string): Record<string, string> {
    return { 'Idempotency-Key': idempotencyKey, 'x-forwarded-for': this.config.forwardedForIp };
  }
}
