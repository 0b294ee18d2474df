import { groupByKeys, Money, type GraphQLContext } from '@switchboard/kit';
import { Authorized, Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import { BillingCustomer } from '../accounts/customer-billing.js';
import { InvoiceView } from '../invoices/invoice-graphql.js';
import { JournalEntry } from './journal-entry.js';
import { customerBalances } from './ledger.js';
import { LedgerInvoice } from './ledger-invoice.js';
import { LedgerPayment } from './ledger-payment.js';
import { entriesByInvoiceLoader, paymentsByInvoiceLoader } from './ledger-graphql.js';
import { LedgerEntryView, LedgerInvoiceView, LedgerPaymentView } from './ledger-views.js';

/**
 * The ledger's contributions to federated entities: `Invoice` (owned by billing's invoicing) gains
 * its ledger document, entries and payments; `Customer` its receivable balance; `Payment` (owned
 * by payments) the entries that booked it.
 */

function ledgerInvoiceByBillingIdLoader(ctx: GraphQLContext) {
  return ctx.loader<string, LedgerInvoice | null>('ledger.invoiceByBillingId', async (ids) => {
    const rows = await ctx.em.find(LedgerInvoice, { billingInvoiceId: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.billingInvoiceId!, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

@Resolver(() => InvoiceView)
export class InvoiceLedgerResolver {
  @Authorized('finance', 'ops')
  @FieldResolver(() => LedgerInvoiceView, { nullable: true, description: "The invoice's ledger document (once issued)." })
  async ledgerInvoice(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceView | null> {
    const row = await ledgerInvoiceByBillingIdLoader(ctx).load(invoice.id);
    return row ? LedgerInvoiceView.of(row) : null;
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [LedgerEntryView], { description: 'Journal entries booking this invoice, its credit notes and its payments.' })
  async ledgerEntries(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerEntryView[]> {
    const row = await ledgerInvoiceByBillingIdLoader(ctx).load(invoice.id);
    return row ? (await entriesByInvoiceLoader(ctx).load(row.id)).map(LedgerEntryView.of) : [];
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [LedgerPaymentView], {
    description: 'Payments and refunds booked against this invoice in the ledger (`payments` is the payments subgraph\'s own view).',
  })
  async ledgerPayments(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerPaymentView[]> {
    const row = await ledgerInvoiceByBillingIdLoader(ctx).load(invoice.id);
    return row ? (await paymentsByInvoiceLoader(ctx).load(row.id)).map(LedgerPaymentView.of) : [];
  }
}

@Resolver(() => BillingCustomer)
export class CustomerLedgerResolver {
  @Authorized('finance', 'ops', 'support')
  @FieldResolver(() => [Money], { description: 'What the customer owes per currency, from the ledger (negative: in credit).' })
  async ledgerBalance(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<Money[]> {
    const balances = await ctx.loader<string, Money[]>('ledger.customerBalance', async (emails) => {
      const rows = await customerBalances(ctx.em, emails);
      return groupByKeys(emails, rows, (r) => r.customerEmail).map((list) => list.map((r) => Money.of(r.balance, r.currency)));
    }).load(customer.email);
    return balances;
  }

  @Authorized('finance', 'ops', 'support')
  @FieldResolver(() => [LedgerInvoiceView], { description: "The customer's invoices in the ledger (ingested from apps and issued by Switchboard), newest first." })
  async ledgerInvoices(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceView[]> {
    const rows = await ctx.loader<string, LedgerInvoice[]>('ledger.invoicesByCustomer', async (emails) =>
      groupByKeys(emails, await ctx.em.find(LedgerInvoice, { customerEmail: { $in: [...emails] } }, { orderBy: { issuedAt: 'desc' } }), (r) => r.customerEmail),
    ).load(customer.email);
    return rows.map(LedgerInvoiceView.of);
  }
}

/** Billing's view of the federated `Payment` (owned by payments): the ledger entries that booked it. */
@ObjectType('Payment')
@Directive('@key(fields: "id")')
export class LedgerPaymentRef {
  @Field(() => ID)
  id!: string;
}

@Resolver(() => LedgerPaymentRef)
export class PaymentLedgerResolver {
  @Authorized('finance', 'ops')
  @FieldResolver(() => [LedgerEntryView], { description: 'Journal entries that booked this payment in the billing ledger.' })
  async ledgerEntries(@Root() payment: LedgerPaymentRef, @Ctx() ctx: GraphQLContext): Promise<LedgerEntryView[]> {
    const entries = await ctx.loader<string, JournalEntry[]>('ledger.entriesByPaymentId', async (ids) => {
      const payments = await ctx.em.find(LedgerPayment, { paymentId: { $in: [...ids] } });
      const entries = payments.length ? await ctx.em.find(JournalEntry, { ledgerPaymentId: { $in: payments.map((p) => p.id) } }, { orderBy: { postedAt: 'asc', number: 'asc' } }) : [];
      const paymentIdOf = new Map(payments.map((p) => [p.id, p.paymentId!]));
      return groupByKeys(ids, entries, (e) => paymentIdOf.get(e.ledgerPaymentId!) ?? '');
    }).load(payment.id);
    return entries.map(LedgerEntryView.of);
  }
}

export const ledgerReferenceResolvers = {
  Payment: {
    __resolveReference(reference: { id: string }): LedgerPaymentRef {
      return Object.assign(new LedgerPaymentRef(), { id: reference.id });
    },
  },
};
