import { groupByKeys, Money, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Directive, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/core';
import type { BillingDeps } from '../deps.js';
import { BillingService } from '../services/billing-service.js';
import { Dec, fixed, MONEY_SCALE, RATE_SCALE } from '../shared/decimal.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { InputError, NotFoundError } from '../shared/validation.js';
import { CreditNote } from './credit-note.js';
import { voidInvoice } from './invoice-actions.js';
import { INVOICE_STATUSES, Invoice, type InvoiceStatus } from './invoice.js';
import { InvoiceLine } from './invoice-line.js';
import { amountDue } from './invoice-rules.js';
import { rateOpenPeriods } from './invoicing.js';
import { recordPaymentFailed, recordPaymentSucceeded } from './payment-outcomes.js';

@ObjectType('InvoiceLine')
export class InvoiceLineView {
  @Field(() => String, { description: 'flat, usage or one_off' }) kind!: string;
  @Field(() => String) description!: string;
  @Field(() => String, { nullable: true }) metric?: string | null;
  @Field(() => String) quantity!: string;
  @Field(() => String, { description: 'Units priced after the included quota.' }) billableQuantity!: string;
  @Field(() => String, { description: '6 dp.' }) unitPrice!: string;
  @Field(() => String, { description: 'Rated amount before rounding to cents (6 dp).' }) exactAmount!: string;
  @Field(() => Money) amount!: Money;
}

@ObjectType('CreditNote')
export class CreditNoteView {
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => Money) amount!: Money;
  @Field(() => String) reason!: string;
  @Field(() => Date) createdAt!: Date;
}

/** Billing owns the federated `Invoice`; payments and helpdesk extend it by `id`. */
@ObjectType('Invoice')
@Directive('@key(fields: "id")')
export class InvoiceView {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'Assigned when issued.' }) number?: string | null;
  @Field(() => String, { description: 'subscription or one_off' }) kind!: string;
  @Field(() => String, { description: 'draft (open period), open (issued), paid or void' }) status!: string;
  @Field(() => String) customerEmail!: string;
  @Field(() => String) externalCustomerId!: string;
  @Field(() => ID, { nullable: true }) subscriptionId?: string | null;
  @Field(() => Date, { nullable: true }) periodStart?: Date | null;
  @Field(() => Date, { nullable: true }) periodEnd?: Date | null;
  @Field(() => Money) subtotal!: Money;
  @Field(() => Money, { description: 'Σ exact line amounts (6 dp), as reconciliation compares them.' }) exactTotal!: Money;
  @Field(() => Money) creditedAmount!: Money;
  @Field(() => Money) amountDue!: Money;
  @Field(() => Date, { nullable: true }) issuedAt?: Date | null;
  @Field(() => Date, { nullable: true }) paidAt?: Date | null;
  @Field(() => Date, { nullable: true }) voidedAt?: Date | null;
  @Field(() => Int) paymentAttempts!: number;
  @Field(() => String, { nullable: true }) lastPaymentError?: string | null;
  @Field(() => Date) updatedAt!: Date;
  serviceId!: string;

  static of(invoice: Invoice): InvoiceView {
    return Object.assign(new InvoiceView(), {
      id: invoice.id,
      number: invoice.number ?? null,
      kind: invoice.kind,
      status: invoice.status,
      customerEmail: invoice.customerEmail,
      externalCustomerId: invoice.externalCustomerId,
      subscriptionId: invoice.subscriptionId ?? null,
      periodStart: invoice.periodStart ?? null,
      periodEnd: invoice.periodEnd ?? null,
      subtotal: Money.of(String(invoice.subtotal), invoice.currency),
      exactTotal: Money.of(String(invoice.exactTotal), invoice.currency, RATE_SCALE),
      creditedAmount: Money.of(String(invoice.creditedAmount), invoice.currency),
      amountDue: Money.of(amountDue(invoice), invoice.currency),
      issuedAt: invoice.issuedAt ?? null,
      paidAt: invoice.paidAt ?? null,
      voidedAt: invoice.voidedAt ?? null,
      paymentAttempts: invoice.paymentAttempts,
      lastPaymentError: invoice.lastPaymentError ?? null,
      updatedAt: invoice.updatedAt,
      serviceId: invoice.serviceId,
    });
  }
}

@ObjectType('BillingRatingSummary')
export class RatingSummaryView {
  @Field(() => Int) subscriptions!: number;
  @Field(() => Int) invoicesIssued!: number;
  @Field(() => Int) draftsRated!: number;
  @Field(() => Int) shadowSkipped!: number;
  @Field(() => Int) thresholdsAnnounced!: number;
  @Field(() => [String], { description: '`<subscription id>: <error>` per subscription that could not be rated.' }) failed!: string[];
}

export function invoiceLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Invoice | null>('billing.invoiceById', async (ids) => {
    const rows = await ctx.em.find(Invoice, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Invoices of many customers (by e-mail) in one query, newest first. */
export function invoicesByEmailLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Invoice[]>('billing.invoicesByEmail', async (emails) => {
    const rows = await ctx.em.find(Invoice, { customerEmail: { $in: [...emails] } }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return groupByKeys(emails, rows, (row) => row.customerEmail);
  });
}

export function invoicesBySubscriptionLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Invoice[]>('billing.invoicesBySubscription', async (ids) => {
    const rows = await ctx.em.find(Invoice, { subscriptionId: { $in: [...ids] } }, { orderBy: { periodStart: 'desc', createdAt: 'desc' } });
    return groupByKeys(ids, rows, (row) => row.subscriptionId ?? '');
  });
}

function serviceLoader(ctx: GraphQLContext) {
  return ctx.loader<string, BillingService | null>('billing.serviceById', async (ids) => {
    const rows = await ctx.em.find(BillingService, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

@Resolver(() => InvoiceView)
export class InvoiceResolver {
  @Authorized('finance', 'ops')
  @Query(() => [InvoiceView], { description: 'Invoices, newest first.' })
  async invoices(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String, { nullable: true }) serviceCode?: string,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('customerEmail', () => String, { nullable: true }) customerEmail?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<InvoiceView[]> {
    return graphqlCall(async () => {
      if (status && !INVOICE_STATUSES.includes(status as InvoiceStatus)) throw new InputError('status', `must be one of ${INVOICE_STATUSES.join(', ')}`);
      const where: FilterQuery<Invoice> = {};
      if (status) where.status = status as InvoiceStatus;
      if (customerEmail) where.customerEmail = customerEmail.trim().toLowerCase();
      if (serviceCode) {
        const service = await ctx.em.findOne(BillingService, { code: serviceCode.trim().toLowerCase() });
        if (!service) return [];
        where.serviceId = service.id;
      }
      const rows = await ctx.em.find(Invoice, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 500) });
      return rows.map(InvoiceView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => InvoiceView, { nullable: true })
  async invoice(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<InvoiceView | null> {
    const row = await invoiceLoader(ctx).load(id);
    return row ? InvoiceView.of(row) : null;
  }

  @FieldResolver(() => String, { description: 'The app that issued it.' })
  async serviceCode(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return (await serviceLoader(ctx).load(invoice.serviceId))?.code ?? '';
  }

  @FieldResolver(() => [InvoiceLineView])
  async lines(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<InvoiceLineView[]> {
    const lines = await ctx
      .loader<string, InvoiceLine[]>('billing.invoiceLines', async (ids) =>
        groupByKeys(ids, await ctx.em.find(InvoiceLine, { invoiceId: { $in: [...ids] } }, { orderBy: { invoiceId: 'asc', position: 'asc' } }), (l) => l.invoiceId),
      )
      .load(invoice.id);
    return lines.map((line) =>
      Object.assign(new InvoiceLineView(), {
        kind: line.kind,
        description: line.description,
        metric: line.metricCode ?? null,
        quantity: new Dec(String(line.quantity)).toString(),
        billableQuantity: new Dec(String(line.billableQuantity)).toString(),
        unitPrice: fixed(String(line.unitPrice), RATE_SCALE),
        exactAmount: fixed(String(line.exactAmount), RATE_SCALE),
        amount: Money.of(fixed(String(line.amount), MONEY_SCALE), invoice.subtotal.currency),
      }),
    );
  }

  @FieldResolver(() => [CreditNoteView])
  async creditNotes(@Root() invoice: InvoiceView, @Ctx() ctx: GraphQLContext): Promise<CreditNoteView[]> {
    const notes = await ctx
      .loader<string, CreditNote[]>('billing.creditNotes', async (ids) =>
        groupByKeys(ids, await ctx.em.find(CreditNote, { invoiceId: { $in: [...ids] } }, { orderBy: { createdAt: 'asc' } }), (n) => n.invoiceId),
      )
      .load(invoice.id);
    return notes.map((note) =>
      Object.assign(new CreditNoteView(), { id: note.id, number: note.number, amount: Money.of(String(note.amount), note.currency), reason: note.reason, createdAt: note.createdAt }),
    );
  }

  @Authorized('finance')
  @Mutation(() => InvoiceView, { description: 'Record a collection outcome received outside the payments subgraph (bank transfer, manual retry).' })
  recordInvoicePayment(
    @Ctx() ctx: GraphQLContext<BillingDeps>,
    @Arg('id', () => ID) id: string,
    @Arg('succeeded', () => Boolean) succeeded: boolean,
    @Arg('reason', () => String, { nullable: true, description: 'Why it failed (required when succeeded is false).' }) reason?: string,
    @Arg('reference', () => String, { nullable: true, description: 'Payment reference when it succeeded.' }) reference?: string,
  ): Promise<InvoiceView> {
    return graphqlCall(() =>
      ctx.deps.transaction(async (tx) => {
        const invoice = await tx.em.findOne(Invoice, { id });
        if (!invoice) throw new NotFoundError(`no invoice ${id}`);
        if (succeeded) return InvoiceView.of(await recordPaymentSucceeded(tx, ctx.deps, invoice, reference?.trim() || null));
        if (!reason?.trim()) throw new InputError('reason', 'is required when the payment failed');
        return InvoiceView.of(await recordPaymentFailed(tx, ctx.deps, invoice, reason.trim()));
      }),
    );
  }

  @Authorized('finance')
  @Mutation(() => InvoiceView, { description: 'Void an issued, unpaid invoice.' })
  voidInvoice(@Ctx() ctx: GraphQLContext<BillingDeps>, @Arg('id', () => ID) id: string): Promise<InvoiceView> {
    return graphqlCall(() =>
      ctx.deps.transaction(async (tx) => {
        const invoice = await tx.em.findOne(Invoice, { id });
        if (!invoice) throw new NotFoundError(`no invoice ${id}`);
        const service = await tx.em.findOneOrFail(BillingService, { id: invoice.serviceId });
        return InvoiceView.of(await voidInvoice(tx, service, invoice));
      }),
    );
  }

  @Authorized('ops')
  @Mutation(() => RatingSummaryView, { description: 'Rate open periods now (otherwise hourly): issue ended periods, refresh drafts.' })
  async rateOpenBillingPeriods(@Ctx() ctx: GraphQLContext<BillingDeps>): Promise<RatingSummaryView> {
    const summary = await rateOpenPeriods(ctx.deps);
    return Object.assign(new RatingSummaryView(), { ...summary, failed: summary.failed.map((f) => `${f.subscriptionId}: ${f.error}`) });
  }
}

export const invoiceReference = {
  Invoice: {
    async __resolveReference(reference: { id: string }, ctx: GraphQLContext): Promise<InvoiceView | null> {
      const row = await invoiceLoader(ctx).load(reference.id);
      return row ? InvoiceView.of(row) : null;
    },
  },
};
