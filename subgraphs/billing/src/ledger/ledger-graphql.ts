import type { FilterQuery } from '@mikro-orm/core';
import { groupByKeys, Money, normalizeEmail, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BillingService } from '../services/billing-service.js';
import { Dec, ZERO } from '../shared/decimal.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { InputError, NotFoundError } from '../shared/validation.js';
import { normalSide } from './accounts.js';
import { postLedgerInvoice } from './invoice-posting.js';
import { ENTRY_SOURCE_TYPES, JournalEntry, type EntrySourceType } from './journal-entry.js';
import { JournalLine } from './journal-line.js';
import { accountBalances } from './ledger.js';
import { LedgerAccount } from './ledger-account.js';
import { LedgerInvoice, type LedgerInvoiceStatus } from './ledger-invoice.js';
import { LedgerInvoiceLine } from './ledger-invoice-line.js';
import { LedgerPayment, type LedgerPaymentStatus } from './ledger-payment.js';
import {
  LedgerBalanceView, LedgerEntryFilter, LedgerEntryView, LedgerInvoiceFilter, LedgerInvoiceLineView, LedgerInvoiceView, LedgerLineView,
  LedgerPaymentView, RevenueFamilyRuleInput, money6,
} from './ledger-views.js';
import { applySuspensePayment, paidByInvoice } from './payments.js';
import { RevenueFamilyRule } from './revenue-family-rule.js';
import { loadRevenueRules, replaceRevenueRules } from './revenue-rules.js';
import { reverseEntry } from './reversal.js';

const who = (ctx: GraphQLContext) => ctx.identity?.email ?? ctx.identity?.sub ?? 'unknown';
const page = (limit: number) => Math.min(Math.max(limit, 1), 500);

// ---- batched loaders (one query per request and relation) ----

export function accountsLoader(ctx: GraphQLContext) {
  return ctx.loader<number, LedgerAccount | null>('ledger.accountById', async (ids) => {
    const rows = await ctx.em.find(LedgerAccount, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function linesLoader(ctx: GraphQLContext) {
  return ctx.loader<string, JournalLine[]>('ledger.linesByEntry', async (ids) =>
    groupByKeys(ids, await ctx.em.find(JournalLine, { entryId: { $in: [...ids] } }, { orderBy: { entryId: 'asc', position: 'asc' } }), (l) => l.entryId));
}

export function entriesByInvoiceLoader(ctx: GraphQLContext) {
  return ctx.loader<string, JournalEntry[]>('ledger.entriesByInvoice', async (ids) =>
    groupByKeys(ids, await ctx.em.find(JournalEntry, { ledgerInvoiceId: { $in: [...ids] } }, { orderBy: { postedAt: 'asc', number: 'asc' } }), (e) => e.ledgerInvoiceId ?? ''));
}

function entriesByPaymentLoader(ctx: GraphQLContext) {
  return ctx.loader<string, JournalEntry[]>('ledger.entriesByPayment', async (ids) =>
    groupByKeys(ids, await ctx.em.find(JournalEntry, { ledgerPaymentId: { $in: [...ids] } }, { orderBy: { postedAt: 'asc', number: 'asc' } }), (e) => e.ledgerPaymentId ?? ''));
}

export function paymentsByInvoiceLoader(ctx: GraphQLContext) {
  return ctx.loader<string, LedgerPayment[]>('ledger.paymentsByInvoice', async (ids) =>
    groupByKeys(ids, await ctx.em.find(LedgerPayment, { ledgerInvoiceId: { $in: [...ids] } }, { orderBy: { occurredAt: 'asc' } }), (p) => p.ledgerInvoiceId ?? ''));
}

export function ledgerInvoiceLoader(ctx: GraphQLContext) {
  return ctx.loader<string, LedgerInvoice | null>('ledger.invoiceById', async (ids) => {
    const rows = await ctx.em.find(LedgerInvoice, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function paidLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Dec>('ledger.paidByInvoice', async (ids) => {
    const paid = await paidByInvoice(ctx.em, ids);
    return ids.map((id) => paid.get(id) ?? ZERO);
  });
}

function reversalLoader(ctx: GraphQLContext) {
  return ctx.loader<string, JournalEntry | null>('ledger.reversalOf', async (ids) => {
    const rows = await ctx.em.find(JournalEntry, { reversesEntryId: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.reversesEntryId!, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function serviceCodeLoader(ctx: GraphQLContext) {
  return ctx.loader<string, string>('ledger.serviceCode', async (ids) => {
    const rows = await ctx.em.find(BillingService, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.id, r.code]));
    return ids.map((id) => byId.get(id) ?? '');
  });
}

async function serviceIdOf(ctx: GraphQLContext, code: string): Promise<string> {
  const service = await ctx.em.findOne(BillingService, { code: code.trim().toLowerCase() });
  if (!service) throw new NotFoundError(`no billing service "${code}"`);
  return service.id;
}

// ---- resolvers ----

@Resolver(() => LedgerEntryView)
export class LedgerEntryResolver {
  @Authorized('finance', 'ops')
  @Query(() => [LedgerEntryView], { description: 'Posted journal entries, newest first.' })
  ledgerEntries(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => LedgerEntryFilter, { nullable: true }) filter?: LedgerEntryFilter,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<LedgerEntryView[]> {
    return graphqlCall(async () => {
      const where: FilterQuery<JournalEntry> = {};
      if (filter?.sourceType) {
        if (!ENTRY_SOURCE_TYPES.includes(filter.sourceType as EntrySourceType)) throw new InputError('filter.sourceType', `must be one of ${ENTRY_SOURCE_TYPES.join(', ')}`);
        where.sourceType = filter.sourceType as EntrySourceType;
      }
      if (filter?.sourceId) where.sourceId = filter.sourceId;
      if (filter?.customerEmail) where.customerEmail = normalizeEmail(filter.customerEmail) ?? filter.customerEmail;
      if (filter?.ledgerInvoiceId) where.ledgerInvoiceId = filter.ledgerInvoiceId;
      if (filter?.currency) where.currency = filter.currency.toUpperCase();
      if (filter?.from || filter?.to) where.effectiveAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
      if (filter?.accountCode) {
        const account = await ctx.em.findOne(LedgerAccount, { code: filter.accountCode.trim().toUpperCase() });
        if (!account) return [];
        const lines = await ctx.em.find(JournalLine, { accountId: account.id }, { fields: ['entryId'] });
        where.id = { $in: [...new Set(lines.map((l) => l.entryId))] };
      }
      const rows = await ctx.em.find(JournalEntry, where, { orderBy: { postedAt: 'desc', number: 'desc' }, limit: page(limit), offset: Math.max(offset, 0) });
      return rows.map(LedgerEntryView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => LedgerEntryView, { nullable: true })
  async ledgerEntry(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<LedgerEntryView | null> {
    const entry = await ctx.em.findOne(JournalEntry, { $or: [{ id }, { number: id }] });
    return entry ? LedgerEntryView.of(entry) : null;
  }

  @FieldResolver(() => [LedgerLineView])
  async lines(@Root() entry: LedgerEntryView, @Ctx() ctx: GraphQLContext): Promise<LedgerLineView[]> {
    const lines = await linesLoader(ctx).load(entry.id);
    const accounts = await accountsLoader(ctx).loadMany(lines.map((l) => l.accountId));
    return lines.map((l, i) => Object.assign(new LedgerLineView(), {
      account: accounts[i] as LedgerAccount,
      debit: Money.of(String(l.debit), l.currency),
      credit: Money.of(String(l.credit), l.currency),
      customerEmail: l.customerEmail ?? null,
      memo: l.memo,
    }));
  }

  @FieldResolver(() => LedgerInvoiceView, { nullable: true })
  async invoice(@Root() entry: LedgerEntryView, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceView | null> {
    const invoice = entry.ledgerInvoiceId ? await ledgerInvoiceLoader(ctx).load(entry.ledgerInvoiceId) : null;
    return invoice ? LedgerInvoiceView.of(invoice) : null;
  }

  @FieldResolver(() => LedgerPaymentView, { nullable: true })
  async payment(@Root() entry: LedgerEntryView, @Ctx() ctx: GraphQLContext): Promise<LedgerPaymentView | null> {
    if (!entry.ledgerPaymentId) return null;
    const payment = await ctx.loader<string, LedgerPayment | null>('ledger.paymentById', async (ids) => {
      const rows = await ctx.em.find(LedgerPayment, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }).load(entry.ledgerPaymentId);
    return payment ? LedgerPaymentView.of(payment) : null;
  }

  @FieldResolver(() => LedgerEntryView, { nullable: true, description: 'The entry that reversed this one.' })
  async reversedBy(@Root() entry: LedgerEntryView, @Ctx() ctx: GraphQLContext): Promise<LedgerEntryView | null> {
    const reversal = await reversalLoader(ctx).load(entry.id);
    return reversal ? LedgerEntryView.of(reversal) : null;
  }

  @Authorized('finance')
  @Mutation(() => LedgerEntryView, { description: 'Reverse a posted entry (the only correction the ledger allows).' })
  reverseLedgerEntry(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string): Promise<LedgerEntryView> {
    return graphqlCall(async () => LedgerEntryView.of(await ctx.deps.transaction(({ em }) => reverseEntry(em, id, reason, who(ctx)))));
  }
}

@Resolver(() => LedgerInvoiceView)
export class LedgerInvoiceResolver {
  @Authorized('finance', 'ops')
  @Query(() => [LedgerInvoiceView], { description: 'Ledger invoices, newest first.' })
  ledgerInvoices(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => LedgerInvoiceFilter, { nullable: true }) filter?: LedgerInvoiceFilter,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<LedgerInvoiceView[]> {
    return graphqlCall(async () => {
      const where: FilterQuery<LedgerInvoice> = {};
      if (filter?.serviceCode) where.serviceId = await serviceIdOf(ctx, filter.serviceCode);
      if (filter?.status) {
        if (!['draft', 'posted', 'void'].includes(filter.status)) throw new InputError('filter.status', 'must be draft, posted or void');
        where.status = filter.status as LedgerInvoiceStatus;
      }
      if (filter?.origin) {
        if (!['import', 'billing'].includes(filter.origin)) throw new InputError('filter.origin', 'must be import or billing');
        where.origin = filter.origin as 'import' | 'billing';
      }
      if (filter?.flagged !== undefined && filter.flagged !== null) where.flags = filter.flagged ? { $ne: '[]' } : '[]';
      if (filter?.changedUpstream) where.upstreamChangedAt = { $ne: null };
      if (filter?.customerEmail) where.customerEmail = normalizeEmail(filter.customerEmail) ?? filter.customerEmail;
      const rows = await ctx.em.find(LedgerInvoice, where, { orderBy: { issuedAt: 'desc', id: 'desc' }, limit: page(limit), offset: Math.max(offset, 0) });
      return rows.map(LedgerInvoiceView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => LedgerInvoiceView, { nullable: true })
  async ledgerInvoice(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<LedgerInvoiceView | null> {
    const invoice = await ledgerInvoiceLoader(ctx).load(id);
    return invoice ? LedgerInvoiceView.of(invoice) : null;
  }

  @FieldResolver(() => String)
  serviceCode(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return serviceCodeLoader(ctx).load(invoice.serviceId);
  }

  @FieldResolver(() => [LedgerInvoiceLineView])
  async lines(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceLineView[]> {
    const lines = await ctx.loader<string, LedgerInvoiceLine[]>('ledger.invoiceLines', async (ids) =>
      groupByKeys(ids, await ctx.em.find(LedgerInvoiceLine, { invoiceId: { $in: [...ids] } }, { orderBy: { invoiceId: 'asc', position: 'asc' } }), (l) => l.invoiceId),
    ).load(invoice.id);
    return lines.map((l) => Object.assign(new LedgerInvoiceLineView(), {
      position: l.position, description: l.description, quantity: new Dec(String(l.quantity)).toString(),
      unitPrice: money6(String(l.unitPrice), invoice.currency), amount: money6(String(l.amount), invoice.currency),
      family: l.family, familyMatched: l.familyMatched, periodStart: l.periodStart ?? null,
    }));
  }

  @FieldResolver(() => [LedgerEntryView])
  async entries(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerEntryView[]> {
    return (await entriesByInvoiceLoader(ctx).load(invoice.id)).map(LedgerEntryView.of);
  }

  @FieldResolver(() => [LedgerPaymentView])
  async payments(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<LedgerPaymentView[]> {
    return (await paymentsByInvoiceLoader(ctx).load(invoice.id)).map(LedgerPaymentView.of);
  }

  @FieldResolver(() => Money, { description: 'Net payments applied (charges − refunds).' })
  async paid(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<Money> {
    return Money.of(await paidLoader(ctx).load(invoice.id), invoice.currency);
  }

  @FieldResolver(() => Money, { description: 'Total − paid: what the customer still owes on it (negative: overpaid).' })
  async open(@Root() invoice: LedgerInvoiceView, @Ctx() ctx: GraphQLContext): Promise<Money> {
    if (invoice.status !== 'posted') return Money.of(0, invoice.currency);
    return Money.of(new Dec(invoice.total.amount).minus(await paidLoader(ctx).load(invoice.id)), invoice.currency);
  }

  @Authorized('finance')
  @Mutation(() => LedgerInvoiceView, { description: 'Post one reviewed draft (refused while it has a blocking flag).' })
  postLedgerInvoice(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('id', () => ID) id: string): Promise<LedgerInvoiceView> {
    return graphqlCall(() => ctx.deps.transaction(async ({ em }) => {
      const invoice = await em.findOne(LedgerInvoice, { id });
      if (!invoice) throw new NotFoundError(`no ledger invoice ${id}`);
      await postLedgerInvoice(em, invoice, who(ctx));
      return LedgerInvoiceView.of(invoice);
    }));
  }
}

@Resolver(() => LedgerPaymentView)
export class LedgerPaymentResolver {
  @Authorized('finance', 'ops')
  @Query(() => [LedgerPaymentView], { description: 'Payments in the ledger, newest first; `status: "unmatched"` lists suspense.' })
  ledgerPayments(
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<LedgerPaymentView[]> {
    return graphqlCall(async () => {
      if (status && !['applied', 'unmatched', 'reversed'].includes(status)) throw new InputError('status', 'must be applied, unmatched or reversed');
      const rows = await ctx.em.find(LedgerPayment, status ? { status: status as LedgerPaymentStatus } : {}, { orderBy: { occurredAt: 'desc', id: 'desc' }, limit: page(limit), offset: Math.max(offset, 0) });
      return rows.map(LedgerPaymentView.of);
    });
  }

  @FieldResolver(() => LedgerInvoiceView, { nullable: true })
  async invoice(@Root() payment: LedgerPaymentView, @Ctx() ctx: GraphQLContext): Promise<LedgerInvoiceView | null> {
    const invoice = payment.ledgerInvoiceId ? await ledgerInvoiceLoader(ctx).load(payment.ledgerInvoiceId) : null;
    return invoice ? LedgerInvoiceView.of(invoice) : null;
  }

  @FieldResolver(() => [LedgerEntryView])
  async entries(@Root() payment: LedgerPaymentView, @Ctx() ctx: GraphQLContext): Promise<LedgerEntryView[]> {
    return (await entriesByPaymentLoader(ctx).load(payment.id)).map(LedgerEntryView.of);
  }

  @Authorized('finance')
  @Mutation(() => LedgerPaymentView, { description: 'Apply a payment parked in suspense to its invoice.' })
  applyLedgerPayment(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('paymentId', () => ID) paymentId: string, @Arg('invoiceId', () => ID) invoiceId: string): Promise<LedgerPaymentView> {
    return graphqlCall(async () => LedgerPaymentView.of(await ctx.deps.transaction(({ em }) => applySuspensePayment(em, paymentId, invoiceId, who(ctx)))));
  }
}

@Resolver(() => LedgerAccount)
export class LedgerAccountResolver {
  @Authorized('finance', 'ops')
  @Query(() => [LedgerAccount], { description: 'The chart of accounts (accounts appear on first use).' })
  ledgerAccounts(@Ctx() ctx: GraphQLContext): Promise<LedgerAccount[]> {
    return ctx.em.find(LedgerAccount, {}, { orderBy: { code: 'asc' } });
  }

  @Authorized('finance', 'ops')
  @Query(() => [LedgerBalanceView], { description: 'Balance per account and currency (trial balance), optionally as of a date.' })
  async ledgerBalances(
    @Ctx() ctx: GraphQLContext,
    @Arg('currency', () => String, { nullable: true }) currency?: string,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date,
  ): Promise<LedgerBalanceView[]> {
    const rows = await accountBalances(ctx.em, { currency: currency?.toUpperCase(), asOf });
    const accounts = await accountsLoader(ctx).loadMany(rows.map((r) => r.accountId));
    return rows.map((row, i) => {
      const account = accounts[i] as LedgerAccount;
      const balance = normalSide(account.kind) === 'debit' ? row.debit.minus(row.credit) : row.credit.minus(row.debit);
      return Object.assign(new LedgerBalanceView(), {
        account, currency: row.currency, debit: Money.of(row.debit, row.currency), credit: Money.of(row.credit, row.currency), balance: Money.of(balance, row.currency),
      });
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => [RevenueFamilyRule], { description: 'Revenue family rules in evaluation order (first match wins).' })
  revenueFamilyRules(@Ctx() ctx: GraphQLContext): Promise<RevenueFamilyRule[]> {
    return loadRevenueRules(ctx.em);
  }

  @Authorized('finance')
  @Mutation(() => [RevenueFamilyRule], { description: 'Replace the ordered revenue family rules. Posted entries are not re-booked; drafts follow at their next ingest.' })
  replaceRevenueFamilyRules(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('rules', () => [RevenueFamilyRuleInput]) rules: RevenueFamilyRuleInput[]): Promise<RevenueFamilyRule[]> {
    return graphqlCall(() => ctx.deps.transaction(({ em }) => replaceRevenueRules(em, rules, who(ctx))));
  }
}
