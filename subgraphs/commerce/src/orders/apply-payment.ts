import { currencyOf } from '../prestashop/config.js';
import { freshness, PROCESSED, unknownCurrency, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import type { ProcessingStore } from '../prestashop/processing-store.js';
import { OrderPayment } from './order-payment.js';
import type { PaymentPayload } from './order-payload.js';
import { paymentFieldsOf, type PaymentSnapshot } from './order-snapshot.js';

/** A payment event (actionObjectOrderPaymentAddAfter / actionPaymentCCAdd). */
export function applyPaymentEvent(store: ProcessingStore, ctx: ApplyContext, meta: EventMeta, payment: PaymentPayload): ApplyOutcome {
  const currency = currencyOf(ctx.config, payment.id_currency);
  if (!currency) return unknownCurrency(payment.id_currency);
  return writePayment(
    store,
    { id: payment.id, orderReference: payment.order_reference!, currency, ...paymentFieldsOf(payment, ctx.config.timezone) },
    meta,
  );
}

/**
 * Writes a payment record, whether it came as its own event or inside an order snapshot: the
 * newer of the two sources wins, as everywhere else.
 */
export function writePayment(store: ProcessingStore, payment: PaymentSnapshot & { currency: string }, meta: EventMeta): ApplyOutcome {
  const existing = store.payments.get(payment.id);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  const row = existing ?? store.add(Object.assign(new OrderPayment(), { id: payment.id }));
  Object.assign(row, payment, { lastEventId: meta.sourceEventId, contentHash: meta.contentHash });
  store.payments.set(row.id, row);
  return PROCESSED;
}
