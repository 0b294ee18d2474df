import { AccountLink } from './accounts/account-link.js';
import { BillingAccount } from './accounts/billing-account.js';
import { Charge } from './catalog/charge.js';
import { Metric } from './catalog/metric.js';
import { Plan } from './catalog/plan.js';
import { CreditNote } from './invoices/credit-note.js';
import { Invoice } from './invoices/invoice.js';
import { InvoiceLine } from './invoices/invoice-line.js';
import { BillingService } from './services/billing-service.js';
import { Sequence } from './shared/sequence.js';
import { Subscription } from './subscriptions/subscription.js';
import { ThresholdNotice } from './usage/threshold-notice.js';
import { UsageRecord } from './usage/usage-record.js';
import { UsageTotal } from './usage/usage-total.js';
import { WebhookMessage } from './webhooks/webhook-message.js';

/** Entities of accounts, metering, rating, invoicing and app webhooks (issue 9's areas add theirs). */
export const METERING_ENTITIES = [
  BillingAccount,
  AccountLink,
  BillingService,
  Metric,
  Plan,
  Charge,
  Subscription,
  UsageRecord,
  UsageTotal,
  ThresholdNotice,
  Invoice,
  InvoiceLine,
  CreditNote,
  Sequence,
  WebhookMessage,
];
