import type { EventHandler } from '@switchboard/kit';
import type { BillingDeps } from '../deps.js';
import { ConflictError } from '../shared/validation.js';
import { Invoice } from './invoice.js';
import { recordPaymentFailed, recordPaymentSucceeded } from './payment-outcomes.js';

/** What billing reads from `payments.charge.succeeded` / `payments.charge.failed`. */
interface ChargeOutcome {
  /** The billing invoice the charge collected (absent: an order payment, not ours). */
  invoiceId?: unknown;
  paymentId?: unknown;
  reason?: unknown;
  error?: unknown;
}

/**
 * Collection outcomes from the payments subgraph move invoices: a success pays the invoice (and
 * may reactivate the subscription), a failure marks the attempt and suspends via the app webhook.
 * Charges that reference no invoice of ours are ignored; a late outcome for an invoice that is no
 * longer open (voided, already paid) is logged, not retried.
 */
export function paymentOutcomeHandler(deps: BillingDeps): EventHandler<ChargeOutcome> {
  return {
    name: 'invoice-payment-outcomes',
    subjects: ['payments.charge.succeeded', 'payments.charge.failed'],
    async handle(event, { em, events, logger }) {
      const invoiceId = event.data?.invoiceId;
      if (typeof invoiceId !== 'string' || !invoiceId) return;
      const invoice = await em.findOne(Invoice, { id: invoiceId });
      if (!invoice) return;
      const at = new Date(event.time);
      try {
        if (event.type === 'payments.charge.succeeded') {
          await recordPaymentSucceeded({ em, events }, deps, invoice, typeof event.data.paymentId === 'string' ? event.data.paymentId : null, at);
        } else {
          if (invoice.status !== 'open') return;
          const reason = typeof event.data.reason === 'string' ? event.data.reason : typeof event.data.error === 'string' ? event.data.error : 'payment failed';
          await recordPaymentFailed({ em, events }, deps, invoice, reason, at);
        }
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        logger.warn({ invoiceId, status: invoice.status, eventType: event.type }, `payment outcome not applied: ${error.message}`);
      }
    },
  };
}
