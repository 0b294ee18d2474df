import type { EventHandler } from '@switchboard/kit';
import { ledgerInvoiceForBilling } from '../ledger/billing-invoices.js';
import { Invoice } from '../invoices/invoice.js';
import type { LedgerInvoice } from '../ledger/ledger-invoice.js';
import { bookPayment, findInvoiceByReference } from '../ledger/payments.js';
import { checkPaymentEvent, type PaymentEventData } from './payment-events.js';

/**
 * Payments from the payments subgraph into the ledger: a charge or refund is booked against the
 * invoice it references (our invoice id, or an imported invoice's number / app id / provider id).
 * One it cannot tie to an invoice is parked in suspense and listed for reconciliation. Payments of
 * shop orders (an order id and no invoice) belong to commerce and are not booked here.
 */
export const paymentIntakeHandler: EventHandler<PaymentEventData> = {
  name: 'ledger-payments-intake',
  subjects: ['payments.charge.succeeded', 'payments.refund.succeeded'],
  async handle(event, { em, logger }) {
    const payment = checkPaymentEvent(event.type, event.data ?? {}, event.time);
    if (!payment.invoiceReference && payment.orderId) {
      logger.debug({ paymentId: payment.paymentId, orderId: payment.orderId }, 'order payment: not an invoice of billing');
      return;
    }
    let invoice: LedgerInvoice | null = null;
    let unmatchedReason: string | undefined;
    if (payment.invoiceReference) {
      // An invoice we issued may not be in the ledger yet (its event travels on another stream).
      const issued = await em.findOne(Invoice, { id: payment.invoiceReference });
      if (issued) {
        invoice = (await ledgerInvoiceForBilling(em, issued.id)) ?? null;
        if (!invoice) unmatchedReason = `invoice ${payment.invoiceReference} is not issued yet`;
      } else {
        invoice = await findInvoiceByReference(em, payment.invoiceReference);
        if (!invoice) unmatchedReason = `no invoice "${payment.invoiceReference}" in the ledger`;
      }
    }
    await bookPayment(em, {
      sourceKey: `payments:${payment.paymentId}`,
      paymentId: payment.paymentId,
      kind: payment.kind,
      provider: payment.provider,
      amount: payment.amount,
      currency: payment.currency,
      occurredAt: payment.occurredAt,
      invoice,
      unmatchedReason,
      invoiceReference: payment.invoiceReference,
      orderId: payment.orderId,
      customerEmail: payment.customerEmail,
      chargeId: payment.chargeId,
    });
  },
};
