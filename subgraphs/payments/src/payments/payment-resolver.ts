import { badInput, groupByKeys, normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Directive, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Payment } from './payment.js';

/** Payments' view of the federated `Customer`: it contributes the customer's payments. */
@ObjectType('Customer')
@Directive('@key(fields: "email")')
export class PaymentsCustomer {
  @Field(() => String)
  email!: string;
}

function paymentLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Payment | null>('payments.byId', async (ids) => {
    const rows = await ctx.em.find(Payment, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

@Resolver(() => PaymentsCustomer)
export class CustomerPaymentsResolver {
  @Authorized('finance', 'ops', 'support')
  @FieldResolver(() => [Payment], { description: 'Newest first.' })
  payments(@Root() customer: PaymentsCustomer, @Ctx() ctx: GraphQLContext): Promise<Payment[]> {
    return ctx
      .loader<string, Payment[]>('payments.byCustomer', async (emails) => {
        const rows = await ctx.em.find(Payment, { customerEmail: { $in: [...emails] } }, { orderBy: { createdAt: 'desc' } });
        return groupByKeys(emails, rows, (row) => row.customerEmail!);
      })
      .load(customer.email);
  }
}

@Resolver(() => Payment)
export class PaymentResolver {
  @Authorized('finance', 'ops')
  @Query(() => Payment, { nullable: true })
  payment(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Payment | null> {
    if (!id.trim()) throw badInput('id must not be empty', 'id');
    return paymentLoader(ctx).load(id);
  }
}

export const referenceResolvers = {
  Customer: {
    __resolveReference(reference: { email: string }): PaymentsCustomer {
      return Object.assign(new PaymentsCustomer(), { email: normalizeEmail(reference.email) ?? reference.email });
    },
  },
  Payment: {
    __resolveReference(reference: { id: string }, ctx: GraphQLContext) {
      return paymentLoader(ctx).load(reference.id);
    },
  },
};
