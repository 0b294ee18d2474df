import type { BillingService } from '../services/billing-service.js';
import type { Invoice } from './invoice.js';

/** Payload of `billing.invoice.finalized` (issued; payments may collect it) and `billing.invoice.payment_requested`. */
export interface InvoiceAnnounced {
  invoiceId: string;
  number: string | null;
  serviceCode: string;
  customerEmail: string;
  externalCustomerId: string;
  subscriptionId: string | null;
  amountDue: string;
  currency: string;
  summary: string;
}

/** The fields every invoice event carries: the invoice as its service announces it. */
export function invoiceAnnounced(invoice: Invoice, service: Pick<BillingService, 'code'>, amountDue: string, summary: string): InvoiceAnnounced {
  return {
    invoiceId: invoice.id,
    number: invoice.number ?? null,
    serviceCode: service.code,
    customerEmail: invoice.customerEmail,
    externalCustomerId: invoice.externalCustomerId,
    subscriptionId: invoice.subscriptionId ?? null,
    amountDue,
    currency: invoice.currency,
    summary,
  };
}

/** Payload of `billing.invoice.payment_failed` (helpdesk opens one ops ticket per invoice from it). */
export interface InvoicePaymentFailed extends InvoiceAnnounced {
  attempts: number;
  reason: string;
  deploymentId: string | null;
}

/** Payload of `billing.invoice.payment_succeeded`. */
export interface InvoicePaymentSucceeded extends InvoiceAnnounced {
  paidAt: string;
  paymentReference: string | null;
}
