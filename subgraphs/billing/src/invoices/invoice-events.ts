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
