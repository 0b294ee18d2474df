import { isCurrency, normalizeEmail, parseAmount, type Decimal } from '@switchboard/kit';

/** `payments.charge.succeeded` / `payments.refund.succeeded` as the payments subgraph sends them. */
export interface PaymentEventData {
  paymentId?: unknown;
  kind?: unknown;
  provider?: unknown;
  amount?: unknown;
  currency?: unknown;
  invoiceId?: unknown;
  orderId?: unknown;
  customerEmail?: unknown;
  chargeId?: unknown;
  occurredAt?: unknown;
}

export interface CheckedPaymentEvent {
  paymentId: string;
  kind: 'charge' | 'refund';
  provider: string;
  amount: Decimal;
  currency: string;
  invoiceReference: string | null;
  orderId: string | null;
  customerEmail: string | null;
  chargeId: string | null;
  occurredAt: Date;
}

/** A malformed payment event: retried then parked as a dead letter (visible, replayable), never half-booked. */
export class PaymentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentEventError';
  }
}

function optional(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  return text ? text.slice(0, max) : null;
}

/** Check an event's data (pure); the kind comes from the event type, which the bus guarantees. */
export function checkPaymentEvent(type: string, data: PaymentEventData, eventTime: string): CheckedPaymentEvent {
  const kind = type === 'payments.refund.succeeded' ? 'refund' : 'charge';
  const paymentId = optional(data.paymentId, 64);
  if (!paymentId) throw new PaymentEventError('paymentId is missing');
  const amount = parseAmount(data.amount, 2);
  if (!amount || amount.lte(0)) throw new PaymentEventError(`amount "${String(data.amount)}" must be a positive decimal string with at most 2 places`);
  const currency = typeof data.currency === 'string' ? data.currency.trim().toUpperCase() : '';
  if (!isCurrency(currency)) throw new PaymentEventError(`currency "${String(data.currency)}" is not an ISO 4217 code`);
  const provider = (optional(data.provider, 30) ?? 'unknown').toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,29}$/.test(provider)) throw new PaymentEventError(`provider "${provider}" must be letters, digits, _ or -`);
  const occurred = typeof data.occurredAt === 'string' ? new Date(data.occurredAt) : new Date(eventTime);
  if (Number.isNaN(occurred.getTime())) throw new PaymentEventError(`occurredAt "${String(data.occurredAt)}" is not a date`);
  return {
    paymentId,
    kind,
    provider,
    amount,
    currency,
    invoiceReference: optional(data.invoiceId, 200),
    orderId: optional(data.orderId, 64),
    customerEmail: typeof data.customerEmail === 'string' ? normalizeEmail(data.customerEmail) ?? null : null,
    chargeId: optional(data.chargeId, 200),
    occurredAt: occurred,
  };
}
