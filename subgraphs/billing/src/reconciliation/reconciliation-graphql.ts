import type { FilterQuery } from '@mikro-orm/core';
import { Money, normalizeEmail, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { RunSummaryView } from '../importer/import-graphql.js';
import { ledgerOf } from '../ledger/ledger-module.js';
import { LedgerInvoice } from '../ledger/ledger-invoice.js';
import { LedgerPayment } from '../ledger/ledger-payment.js';
import { LedgerInvoiceView, LedgerPaymentView, money6 } from '../ledger/ledger-views.js';
import { BillingService } from '../services/billing-service.js';
import { Dec } from '../shared/decimal.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { ConflictError, InputError, NotFoundError } from '../shared/validation.js';
import { PAYMENT_MATCH_KINDS, PaymentMatch, type PaymentMatchKind } from './payment-match.js';
import { ReconciliationItem } from './reconciliation-item.js';
import { RECONCILIATION_STATUSES, isPeriodLabel, type ReconciliationStatus } from './reconciliation-rules.js';
import { RECONCILIATION_KINDS, ReconciliationRun, type ReconciliationKind } from './reconciliation-run.js';

@ObjectType('ReconciliationRun', { description: 'One reconciliation run and its progress; the summary once it ends.' })
export class ReconciliationRunView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: '`subscriptions` or `payments`.' }) kind!: string;
  @Field(() => String, { nullable: true }) serviceCode?: string | null;
  @Field(() => String, { nullable: true }) period?: string | null;
  @Field(() => String) tolerance!: string;
  @Field(() => String, { description: '`running`, `succeeded`, `failed` or `cancelled`.' }) status!: string;
  @Field(() => String) trigger!: string;
  @Field(() => String) requestedBy!: string;
  @Field(() => Int, { nullable: true }) total?: number | null;
  @Field(() => Int) processed!: number;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => RunSummaryView, { nullable: true }) summary?: RunSummaryView | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  static of(run: ReconciliationRun): ReconciliationRunView {
    return Object.assign(new ReconciliationRunView(), {
      id: run.id, kind: run.kind, serviceCode: run.serviceCode ?? null, period: run.period ?? null, tolerance: new Dec(String(run.tolerance)).toString(),
      status: run.status, trigger: run.trigger, requestedBy: run.requestedBy, total: run.total ?? null, processed: run.processed,
      error: run.error ?? null, summary: RunSummaryView.of(run.summary), startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
    });
  }
}

@ObjectType('ReconciliationItem', { description: "One (service, app subscription, period): Switchboard's flat + overage against the app's pre-tax invoiced subtotal." })
export class ReconciliationItemView {
  @Field(() => ID) id!: string;
  @Field(() => String) subscriptionExternalId!: string;
  @Field(() => String, { description: 'YYYY-MM' }) period!: string;
  @Field(() => ID, { nullable: true, description: 'The (shadow) BillingSubscription.' }) subscriptionId?: string | null;
  @Field(() => String, { nullable: true }) customerEmail?: string | null;
  @Field(() => String, { description: 'Quantity the app metered (CPU-seconds).' }) usageQuantity!: string;
  @Field(() => Money) flatAmount!: Money;
  @Field(() => Money) overageAmount!: Money;
  @Field(() => Money, { description: 'flat + overage (6 dp).' }) computedAmount!: Money;
  @Field(() => Money, { description: "The app's pre-tax invoiced subtotal." }) externalAmount!: Money;
  @Field(() => Money, { description: 'computed − external: positive means Switchboard would charge more.' }) delta!: Money;
  @Field(() => Int) externalInvoiceCount!: number;
  @Field(() => String, { description: '`match`, `delta` or `resolved`.' }) status!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => String, { nullable: true }) resolvedBy?: string | null;
  @Field(() => Date, { nullable: true }) resolvedAt?: Date | null;
  @Field(() => Date) updatedAt!: Date;
  serviceId!: string;

  static of(item: ReconciliationItem): ReconciliationItemView {
    const m = (v: string) => money6(new Dec(String(v)).toFixed(6), item.currency);
    return Object.assign(new ReconciliationItemView(), {
      id: String(item.id), subscriptionExternalId: item.subscriptionExternalId, period: item.period, subscriptionId: item.subscriptionId ?? null,
      customerEmail: item.customerEmail ?? null, usageQuantity: new Dec(String(item.usageQuantity)).toString(),
      flatAmount: m(item.flatAmount), overageAmount: m(item.overageAmount), computedAmount: m(item.computedAmount),
      externalAmount: m(item.externalAmount), delta: m(item.delta), externalInvoiceCount: item.externalInvoiceCount, status: item.status,
      note: item.note ?? null, resolvedBy: item.resolvedBy ?? null, resolvedAt: item.resolvedAt ?? null, updatedAt: item.updatedAt, serviceId: item.serviceId,
    });
  }
}

@ObjectType('PaymentMatch', { description: 'A line of a payments ↔ invoices reconciliation.' })
export class PaymentMatchView {
  @Field(() => String, { description: '`matched`, `suggested`, `unmatched_payment` or `unmatched_invoice`.' }) kind!: string;
  @Field(() => String, { nullable: true, description: '`booked`, `reference` or `amount_date`.' }) method?: string | null;
  @Field(() => Money, { description: "The payment's amount, or the invoice's open amount." }) amount!: Money;
  @Field(() => String, { nullable: true }) reason?: string | null;
  ledgerPaymentId?: string | null;
  ledgerInvoiceId?: string | null;
}

@InputType('ReconciliationItemFilter')
export class ReconciliationItemFilter {
  @Field(() => String, { nullable: true }) serviceCode?: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM' }) period?: string;
  @Field(() => String, { nullable: true, description: 'match, delta or resolved' }) status?: string;
  @Field(() => String, { nullable: true }) subscriptionExternalId?: string;
  @Field(() => String, { nullable: true }) customerEmail?: string;
}

const who = (ctx: GraphQLContext) => ctx.identity?.email ?? ctx.identity?.sub ?? 'unknown';

@Resolver(() => ReconciliationRunView)
export class ReconciliationRunResolver {
  @Authorized('finance')
  @Mutation(() => ReconciliationRunView, { description: 'Start a reconciliation now (it also runs on its schedule); follow it with reconciliationRun(id).' })
  startReconciliation(
    @Ctx() ctx: GraphQLContext,
    @Arg('kind', () => String, { defaultValue: 'subscriptions', description: 'subscriptions or payments' }) kind: string,
    @Arg('serviceCode', () => String, { nullable: true }) serviceCode?: string,
    @Arg('period', () => String, { nullable: true, description: 'Only this YYYY-MM.' }) period?: string,
    @Arg('tolerance', () => String, { nullable: true, description: 'Overrides BILLING_RECONCILIATION_TOLERANCE for this run.' }) tolerance?: string,
  ): Promise<ReconciliationRunView> {
    return graphqlCall(async () => {
      if (!RECONCILIATION_KINDS.includes(kind as ReconciliationKind)) throw new InputError('kind', `must be one of ${RECONCILIATION_KINDS.join(', ')}`);
      if (tolerance !== undefined && tolerance !== null && !/^\d+(\.\d{1,6})?$/.test(tolerance.trim())) throw new InputError('tolerance', 'must be a non-negative decimal with at most 6 places');
      const run = await ledgerOf(ctx.deps).reconciliations.start({
        kind: kind as ReconciliationKind, serviceCode, period, tolerance: tolerance ? new Dec(tolerance.trim()) : null, requestedBy: who(ctx), trigger: 'manual',
      });
      return ReconciliationRunView.of(run);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => [ReconciliationRunView], { description: 'Reconciliation runs, newest first.' })
  reconciliationRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('kind', () => String, { nullable: true }) kind?: string,
    @Arg('serviceCode', () => String, { nullable: true }) serviceCode?: string,
    @Arg('limit', () => Int, { defaultValue: 20 }) limit = 20,
  ): Promise<ReconciliationRunView[]> {
    return graphqlCall(async () => {
      const where: FilterQuery<ReconciliationRun> = {};
      if (kind) {
        if (!RECONCILIATION_KINDS.includes(kind as ReconciliationKind)) throw new InputError('kind', `must be one of ${RECONCILIATION_KINDS.join(', ')}`);
        where.kind = kind as ReconciliationKind;
      }
      if (serviceCode) where.serviceCode = serviceCode.trim().toLowerCase();
      const rows = await ctx.em.find(ReconciliationRun, where, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 200) });
      return rows.map(ReconciliationRunView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => ReconciliationRunView, { nullable: true })
  async reconciliationRun(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ReconciliationRunView | null> {
    const run = await ctx.em.findOne(ReconciliationRun, { id });
    return run ? ReconciliationRunView.of(run) : null;
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [PaymentMatchView], { description: 'payments runs: the matches and the unmatched on both sides.' })
  async paymentMatches(
    @Root() run: ReconciliationRunView,
    @Ctx() ctx: GraphQLContext,
    @Arg('kind', () => String, { nullable: true }) kind?: string,
    @Arg('limit', () => Int, { defaultValue: 200 }) limit = 200,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<PaymentMatchView[]> {
    return graphqlCall(async () => {
      if (kind && !PAYMENT_MATCH_KINDS.includes(kind as PaymentMatchKind)) throw new InputError('kind', `must be one of ${PAYMENT_MATCH_KINDS.join(', ')}`);
      const rows = await ctx.em.find(PaymentMatch, { runId: run.id, ...(kind ? { kind: kind as PaymentMatchKind } : {}) }, { orderBy: { id: 'asc' }, limit: Math.min(Math.max(limit, 1), 1000), offset: Math.max(offset, 0) });
      return rows.map((r) => Object.assign(new PaymentMatchView(), {
        kind: r.kind, method: r.method ?? null, amount: Money.of(String(r.amount), r.currency), reason: r.reason ?? null,
        ledgerPaymentId: r.ledgerPaymentId ?? null, ledgerInvoiceId: r.ledgerInvoiceId ?? null,
      }));
    });
  }
}

@Resolver(() => PaymentMatchView)
export class PaymentMatchResolver {
  @FieldResolver(() => LedgerPaymentView, { nullable: true })
  async payment(@Root() match: PaymentMatchView, @Ctx() ctx: GraphQLContext): Promise<LedgerPaymentView | null> {
    if (!match.ledgerPaymentId) return null;
    const row = await ctx.loader<string, LedgerPayment | null>('reconciliation.payment', async (ids) => {
      const rows = await ctx.em.find(LedgerPayment, { id: { $in: [...ids] } });
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    }).load(match.ledgerPaymentId);
    return row ? LedgerPaymentView.of(row) : null;
  }

  @FieldResolver(() => LedgerInvoiceView, { nullable: true })
  async invoice(@Root() match: PaymentMatchView, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceView | null> {
    if (!match.ledgerInvoiceId) return null;
    const row = await ctx.loader<string, LedgerInvoice | null>('reconciliation.invoice', async (ids) => {
      const rows = await ctx.em.find(LedgerInvoice, { id: { $in: [...ids] } });
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    }).load(match.ledgerInvoiceId);
    return row ? LedgerInvoiceView.of(row) : null;
  }
}

@Resolver(() => ReconciliationItemView)
export class ReconciliationItemResolver {
  @Authorized('finance', 'ops')
  @Query(() => [ReconciliationItemView], { description: 'Reconciliation items, newest period first, then by subscription.' })
  reconciliationItems(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ReconciliationItemFilter, { nullable: true }) filter?: ReconciliationItemFilter,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit = 100,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<ReconciliationItemView[]> {
    return graphqlCall(async () => {
      const where: FilterQuery<ReconciliationItem> = {};
      if (filter?.serviceCode) {
        const service = await ctx.em.findOne(BillingService, { code: filter.serviceCode.trim().toLowerCase() });
        if (!service) throw new NotFoundError(`no billing service "${filter.serviceCode}"`);
        where.serviceId = service.id;
      }
      if (filter?.period) {
        if (!isPeriodLabel(filter.period)) throw new InputError('filter.period', 'must be YYYY-MM');
        where.period = filter.period;
      }
      if (filter?.status) {
        if (!RECONCILIATION_STATUSES.includes(filter.status as ReconciliationStatus)) throw new InputError('filter.status', `must be one of ${RECONCILIATION_STATUSES.join(', ')}`);
        where.status = filter.status as ReconciliationStatus;
      }
      if (filter?.subscriptionExternalId) where.subscriptionExternalId = filter.subscriptionExternalId;
      if (filter?.customerEmail) where.customerEmail = normalizeEmail(filter.customerEmail) ?? filter.customerEmail;
      const rows = await ctx.em.find(ReconciliationItem, where, {
        orderBy: { period: 'desc', subscriptionExternalId: 'asc' }, limit: Math.min(Math.max(limit, 1), 1000), offset: Math.max(offset, 0),
      });
      return rows.map(ReconciliationItemView.of);
    });
  }

  @FieldResolver(() => String)
  async serviceCode(@Root() item: ReconciliationItemView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return ctx.loader<string, string>('reconciliation.serviceCode', async (ids) => {
      const rows = await ctx.em.find(BillingService, { id: { $in: [...ids] } });
      return ids.map((id) => rows.find((r) => r.id === id)?.code ?? '');
    }).load(item.serviceId);
  }

  @Authorized('finance')
  @Mutation(() => ReconciliationItemView, { description: 'Mark a delta resolved with a note (it reopens if the figures change).' })
  resolveReconciliationItem(
    @Ctx() ctx: GraphQLContext<ServiceRuntime>,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String) note: string,
  ): Promise<ReconciliationItemView> {
    return graphqlCall(() => ctx.deps.transaction(async ({ em }) => {
      const text = note.trim();
      if (!text) throw new InputError('note', 'is required: say why the difference is accepted');
      if (text.length > 2000) throw new InputError('note', 'must be at most 2000 characters');
      const item = /^\d+$/.test(id) ? await em.findOne(ReconciliationItem, { id: Number(id) }) : null;
      if (!item) throw new NotFoundError(`no reconciliation item ${id}`);
      if (item.status === 'match') throw new ConflictError('the item matches; there is nothing to resolve');
      item.status = 'resolved';
      item.note = text;
      item.resolvedBy = who(ctx).slice(0, 200);
      item.resolvedAt = new Date();
      item.updatedAt = new Date();
      return ReconciliationItemView.of(item);
    }));
  }
}
