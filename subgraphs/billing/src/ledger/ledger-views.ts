import { Money } from '@switchboard/kit';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RATE_SCALE } from '../shared/decimal.js';
import type { JournalEntry } from './journal-entry.js';
import { LedgerAccount } from './ledger-account.js';
import type { LedgerInvoice } from './ledger-invoice.js';
import type { LedgerPayment } from './ledger-payment.js';

/** GraphQL views of the ledger (field resolvers in ledger-graphql.ts add the related objects). */

@ObjectType('LedgerLine')
export class LedgerLineView {
  @Field(() => LedgerAccount) account!: LedgerAccount;
  @Field(() => Money) debit!: Money;
  @Field(() => Money) credit!: Money;
  @Field(() => String, { nullable: true, description: 'Receivable lines: the customer.' }) customerEmail?: string | null;
  @Field(() => String) memo!: string;
}

@ObjectType('LedgerEntry', { description: 'A posted journal entry: balanced and immutable (corrected by reversal).' })
export class LedgerEntryView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'JE-000123' }) number!: string;
  @Field(() => String, { description: 'invoice, payment, refund, credit_note, suspense_application or reversal' }) sourceType!: string;
  @Field(() => String, { description: 'The source it books: `import:<service>:<app invoice id>`, `billing:<invoice id>`, `payments:<payment id>`, an entry id…' }) sourceId!: string;
  @Field(() => Int) revision!: number;
  @Field(() => String) description!: string;
  @Field(() => String) currency!: string;
  @Field(() => Date, { description: 'Accounting date.' }) effectiveAt!: Date;
  @Field(() => Date) postedAt!: Date;
  @Field(() => String) postedBy!: string;
  @Field(() => String, { nullable: true }) customerEmail?: string | null;
  @Field(() => ID, { nullable: true }) reversesEntryId?: string | null;
  ledgerInvoiceId?: string | null;
  ledgerPaymentId?: string | null;

  static of(entry: JournalEntry): LedgerEntryView {
    return Object.assign(new LedgerEntryView(), {
      id: entry.id, number: entry.number, sourceType: entry.sourceType, sourceId: entry.sourceId, revision: entry.revision,
      description: entry.description, currency: entry.currency, effectiveAt: entry.effectiveAt, postedAt: entry.postedAt,
      postedBy: entry.postedBy, customerEmail: entry.customerEmail ?? null, reversesEntryId: entry.reversesEntryId ?? null,
      ledgerInvoiceId: entry.ledgerInvoiceId ?? null, ledgerPaymentId: entry.ledgerPaymentId ?? null,
    });
  }
}

@ObjectType('LedgerInvoiceLine')
export class LedgerInvoiceLineView {
  @Field(() => Int) position!: number;
  @Field(() => String) description!: string;
  @Field(() => String) quantity!: string;
  @Field(() => Money, { description: '6 dp, as the source has it.' }) unitPrice!: Money;
  @Field(() => Money, { description: '6 dp, as the source has it.' }) amount!: Money;
  @Field(() => String, { description: 'Revenue family (booked to REV-<FAMILY>).' }) family!: string;
  @Field(() => Boolean, { description: 'False: no rule matched; booked to `other` for review.' }) familyMatched!: boolean;
  @Field(() => Date, { nullable: true }) periodStart?: Date | null;
}

@ObjectType('LedgerInvoice', { description: "The ledger's receivable document of an invoice: ingested from an app, or issued by Switchboard." })
export class LedgerInvoiceView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: '`import` (an app\'s invoice) or `billing` (issued by Switchboard).' }) origin!: string;
  @Field(() => ID, { nullable: true, description: 'The federated Invoice, when Switchboard issued it.' }) billingInvoiceId?: string | null;
  @Field(() => String, { nullable: true, description: "The app's invoice id." }) externalId?: string | null;
  @Field(() => String, { nullable: true }) number?: string | null;
  @Field(() => String, { nullable: true, description: "The payment provider's invoice id (in_…)." }) providerInvoiceId?: string | null;
  @Field(() => String) customerEmail!: string;
  @Field(() => String, { nullable: true }) customerName?: string | null;
  @Field(() => String, { nullable: true }) subscriptionExternalId?: string | null;
  @Field(() => Date) issuedAt!: Date;
  @Field(() => String, { description: '`draft` (not in the balances; rewritten by the next ingest), `posted` or `void`.' }) status!: string;
  @Field(() => String, { nullable: true, description: "The source's own status when last read." }) sourceStatus?: string | null;
  @Field(() => Money) subtotal!: Money;
  @Field(() => Money) tax!: Money;
  @Field(() => Money) total!: Money;
  @Field(() => Int, { description: 'Whole percent derived from the source: round(100 × tax / subtotal).' }) taxRate!: number;
  @Field(() => [String], { description: '`tax_mismatch` and `subtotal_mismatch` block posting; `family_review` is a warning.' }) flags!: string[];
  @Field(() => [String]) problems!: string[];
  @Field(() => Date, { nullable: true, description: 'A posted invoice found changed at the source (reported, never re-booked).' }) upstreamChangedAt?: Date | null;
  @Field(() => Int) revision!: number;
  @Field(() => Date, { nullable: true }) postedAt?: Date | null;
  serviceId!: string;
  currency!: string;

  static of(invoice: LedgerInvoice): LedgerInvoiceView {
    return Object.assign(new LedgerInvoiceView(), {
      id: invoice.id, origin: invoice.origin, billingInvoiceId: invoice.billingInvoiceId ?? null, externalId: invoice.externalId ?? null,
      number: invoice.number ?? null, providerInvoiceId: invoice.providerInvoiceId ?? null, customerEmail: invoice.customerEmail,
      customerName: invoice.customerName ?? null, subscriptionExternalId: invoice.subscriptionExternalId ?? null, issuedAt: invoice.issuedAt,
      status: invoice.status, sourceStatus: invoice.sourceStatus ?? null,
      subtotal: Money.of(String(invoice.subtotal), invoice.currency), tax: Money.of(String(invoice.tax), invoice.currency),
      total: Money.of(String(invoice.total), invoice.currency), taxRate: invoice.taxRate, flags: invoice.flagList(), problems: invoice.problemList(),
      upstreamChangedAt: invoice.upstreamChangedAt ?? null, revision: invoice.revision, postedAt: invoice.postedAt ?? null,
      serviceId: invoice.serviceId, currency: invoice.currency,
    });
  }
}

@ObjectType('LedgerPayment', { description: 'Money received (charge) or paid back (refund), as booked in the ledger.' })
export class LedgerPaymentView {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'The federated Payment, when it came from the payments subgraph.' }) paymentId?: string | null;
  @Field(() => String, { description: '`charge` or `refund`.' }) kind!: string;
  @Field(() => String, { description: 'Payment channel (clearing account).' }) provider!: string;
  @Field(() => Money) amount!: Money;
  @Field(() => String, { description: '`applied` (on its invoice), `unmatched` (in suspense) or `reversed`.' }) status!: string;
  @Field(() => String, { nullable: true, description: 'The invoice reference the payment carried.' }) invoiceReference?: string | null;
  @Field(() => String, { nullable: true }) orderId?: string | null;
  @Field(() => String, { nullable: true }) customerEmail?: string | null;
  @Field(() => String, { nullable: true }) chargeId?: string | null;
  @Field(() => String, { nullable: true, description: 'Why it sits in suspense.' }) unmatchedReason?: string | null;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => Date, { nullable: true }) appliedAt?: Date | null;
  @Field(() => String, { nullable: true }) appliedBy?: string | null;
  ledgerInvoiceId?: string | null;

  static of(payment: LedgerPayment): LedgerPaymentView {
    return Object.assign(new LedgerPaymentView(), {
      id: payment.id, paymentId: payment.paymentId ?? null, kind: payment.kind, provider: payment.provider,
      amount: Money.of(String(payment.amount), payment.currency), status: payment.status, invoiceReference: payment.invoiceReference ?? null,
      orderId: payment.orderId ?? null, customerEmail: payment.customerEmail ?? null, chargeId: payment.chargeId ?? null,
      unmatchedReason: payment.unmatchedReason ?? null, occurredAt: payment.occurredAt, appliedAt: payment.appliedAt ?? null,
      appliedBy: payment.appliedBy ?? null, ledgerInvoiceId: payment.ledgerInvoiceId ?? null,
    });
  }
}

@ObjectType('LedgerBalance')
export class LedgerBalanceView {
  @Field(() => LedgerAccount) account!: LedgerAccount;
  @Field(() => String) currency!: string;
  @Field(() => Money, { description: 'Σ debits.' }) debit!: Money;
  @Field(() => Money, { description: 'Σ credits.' }) credit!: Money;
  @Field(() => Money, { description: "On the account's normal side: debits − credits for receivable and clearing, credits − debits otherwise." }) balance!: Money;
}

@InputType('RevenueFamilyRuleInput')
export class RevenueFamilyRuleInput {
  @Field(() => String) family!: string;
  @Field(() => String) keyword!: string;
}

@InputType('LedgerEntryFilter')
export class LedgerEntryFilter {
  @Field(() => String, { nullable: true, description: 'Entries with a line on this account (code).' }) accountCode?: string;
  @Field(() => String, { nullable: true }) customerEmail?: string;
  @Field(() => String, { nullable: true }) sourceType?: string;
  @Field(() => String, { nullable: true }) sourceId?: string;
  @Field(() => ID, { nullable: true }) ledgerInvoiceId?: string;
  @Field(() => String, { nullable: true }) currency?: string;
  @Field(() => Date, { nullable: true, description: 'Accounting date from (inclusive).' }) from?: Date;
  @Field(() => Date, { nullable: true, description: 'Accounting date to (exclusive).' }) to?: Date;
}

@InputType('LedgerInvoiceFilter')
export class LedgerInvoiceFilter {
  @Field(() => String, { nullable: true }) serviceCode?: string;
  @Field(() => String, { nullable: true, description: 'draft, posted or void' }) status?: string;
  @Field(() => String, { nullable: true, description: 'import or billing' }) origin?: string;
  @Field(() => Boolean, { nullable: true, description: 'Only invoices with flags (true) or without (false).' }) flagged?: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Only posted invoices changed at the source since.' }) changedUpstream?: boolean;
  @Field(() => String, { nullable: true }) customerEmail?: string;
}

export const money6 = (amount: string, currency: string) => Money.of(amount, currency, RATE_SCALE);
