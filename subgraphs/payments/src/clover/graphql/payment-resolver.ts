import { Decimal, Money, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Payment } from '../../payments/payment.js';
import { CloverNotFoundError } from '../domain-errors.js';
import type { CloverDeps } from '../module.js';
import { REFUND_WINDOW_DAYS } from '../refunds/refund-rules.js';
import { CloverTerminal } from '../terminals/clover-terminal.js';
import { guarded } from './errors.js';
import { CollectPaymentInput, IssueCreditInput, RefundPaymentInput } from './types.js';

type Ctx = GraphQLContext<CloverDeps>;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Collecting, refunding and voiding Clover payments (roles ops, finance), and Clover fields of `Payment`. */
@Resolver(() => Payment)
export class CloverPaymentResolver {
  @Authorized('ops', 'finance')
  @Query(() => [Payment], { description: 'Clover payments, newest first.' })
  cloverPayments(
    @Ctx() ctx: Ctx,
    @Arg('connectionId', () => ID, { nullable: true }) connectionId?: string,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('kind', () => String, { nullable: true }) kind?: string,
    @Arg('invoiceId', () => String, { nullable: true }) invoiceId?: string,
    @Arg('orderId', () => String, { nullable: true }) orderId?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<Payment[]> {
    return ctx.em.find(
      Payment,
      {
        provider: 'clover',
        ...(connectionId ? { connectionId } : {}),
        ...(status ? { status } : {}),
        ...(kind ? { kind } : {}),
        ...(invoiceId ? { invoiceId } : {}),
        ...(orderId ? { orderId } : {}),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 200), offset: Math.max(offset, 0) },
    );
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, {
    description:
      'Collects money with a card token, a keyed card or a terminal. Declines come back as a `failed` payment with `failureCode`; terminal payments come back `pending` until the customer is done (see `refreshPaymentStatus`).',
  })
  collectPayment(@Ctx() ctx: Ctx, @Arg('input', () => CollectPaymentInput) input: CollectPaymentInput): Promise<Payment> {
    return guarded(() => ctx.deps.clover.collections.collect(input));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, { description: 'Captures an authorized charge in full.' })
  capturePayment(@Ctx() ctx: Ctx, @Arg('paymentId', () => ID) paymentId: string): Promise<Payment> {
    return guarded(() => ctx.deps.clover.collections.capture(paymentId));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, { description: 'Refunds a charge in full (no amount) or in part; returns the refund.' })
  refundPayment(@Ctx() ctx: Ctx, @Arg('input', () => RefundPaymentInput) input: RefundPaymentInput): Promise<Payment> {
    return guarded(() => ctx.deps.clover.refunds.refund(input));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, { description: 'Cancels a charge before Clover settles it (afterwards: refund it).' })
  voidPayment(
    @Ctx() ctx: Ctx,
    @Arg('paymentId', () => ID) paymentId: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<Payment> {
    return guarded(() => ctx.deps.clover.collections.void(paymentId, reason));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, { description: 'Pays money to a card without an original charge (non-referenced credit).' })
  issueCredit(@Ctx() ctx: Ctx, @Arg('input', () => IssueCreditInput) input: IssueCreditInput): Promise<Payment> {
    return guarded(() => ctx.deps.clover.refunds.credit(input));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Payment, { description: 'Asks Clover what became of a pending payment (terminal status poll, lost answers).' })
  refreshPaymentStatus(@Ctx() ctx: Ctx, @Arg('paymentId', () => ID) paymentId: string): Promise<Payment> {
    return guarded(async () => {
      const payment = await ctx.em.findOne(Payment, { id: paymentId });
      if (!payment || payment.provider !== 'clover') throw new CloverNotFoundError(`no Clover payment ${paymentId}`);
      return ctx.deps.clover.reconciler.resolve(payment);
    });
  }

  @FieldResolver(() => [Payment], { description: 'For a charge: its refunds, oldest first.' })
  refunds(@Root() payment: Payment, @Ctx() ctx: Ctx): Promise<Payment[]> {
    if (payment.kind !== 'charge') return Promise.resolve([]);
    return ctx
      .loader<string, Payment[]>('clover.refundsByCharge', async (ids) => {
        const rows = await ctx.em.find(Payment, { parentPaymentId: { $in: [...ids] }, kind: 'refund' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
        return ids.map((id) => rows.filter((row) => row.parentPaymentId === id));
      })
      .load(payment.id);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'For a charge: what can still be refunded.' })
  refundableAmount(@Root() payment: Payment): Money | null {
    if (payment.kind !== 'charge' || !['succeeded', 'partially_refunded'].includes(payment.status)) return null;
    return Money.of(Decimal.max(0, new Decimal(payment.amountValue).minus(payment.refundedAmountValue ?? '0')), payment.currency);
  }

  @FieldResolver(() => Date, { nullable: true, description: `For a Clover charge: the last moment it can be refunded (${REFUND_WINDOW_DAYS} days).` })
  refundDeadline(@Root() payment: Payment): Date | null {
    if (payment.kind !== 'charge' || payment.provider !== 'clover' || payment.status === 'failed' || payment.status === 'pending') return null;
    return new Date((payment.providerCreatedAt ?? payment.createdAt).getTime() + REFUND_WINDOW_DAYS * DAY_MS);
  }

  @FieldResolver(() => CloverTerminal, { nullable: true })
  cloverTerminal(@Root() payment: Payment, @Ctx() ctx: Ctx): Promise<CloverTerminal | null> {
    if (!payment.terminalId) return Promise.resolve(null);
    return ctx
      .loader<string, CloverTerminal | null>('clover.terminalById', async (ids) => {
        const rows = await ctx.em.find(CloverTerminal, { id: { $in: [...ids] } });
        return ids.map((id) => rows.find((row) => row.id === id) ?? null);
      })
      .load(payment.terminalId);
  }
}
