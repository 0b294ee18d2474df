import { badInput, normalizeEmail, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Customer } from './customer.js';
import { applyCustomerProfile, CUSTOMER_UPSERTED } from './customer-profile.js';
import { validateCustomerInput, type CustomerUpserted } from './customer-rules.js';

@InputType()
export class UpsertCustomerInput {
  @Field(() => String) email!: string;
  @Field(() => String) name!: string;
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized()
  @Query(() => Customer, { nullable: true })
  async customer(@Ctx() ctx: GraphQLContext, @Arg('email', () => String) email: string): Promise<Customer | null> {
    const key = normalizeEmail(email);
    if (!key) throw badInput('email must be a valid e-mail address', 'email');
    return customerLoader(ctx).load(key);
  }

  @Authorized()
  @Query(() => [Customer], { description: 'Customers whose e-mail or name contains `search`, newest first.' })
  async customers(
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<Customer[]> {
    const term = search?.trim().toLowerCase();
    const where = term
      ? { $or: [{ email: { $like: `%${term}%` } }, { name: { $like: `%${term}%` } }] }
      : {};
    return ctx.em.find(Customer, where, { orderBy: { updatedAt: 'desc' }, limit: Math.min(Math.max(limit, 1), 500) });
  }

  @Authorized('ops', 'support')
  @Mutation(() => Customer, { description: 'Create or update a customer profile; announces commerce.customer.upserted.' })
  async upsertCustomer(
    @Ctx() ctx: GraphQLContext<ServiceRuntime>,
    @Arg('input', () => UpsertCustomerInput) input: UpsertCustomerInput,
  ): Promise<Customer> {
    const checked = validateCustomerInput(input);
    if (!checked.ok) throw badInput(checked.message, checked.field);
    return upsertCustomer(ctx.deps, checked.value);
  }
}

/** Writes the profile and its event in one transaction. */
export async function upsertCustomer(runtime: ServiceRuntime, input: { email: string; name: string }): Promise<Customer> {
  return runtime.transaction(async ({ em, events }) => {
    const existing = await em.findOne(Customer, { email: input.email });
    const { customer, upserted } = applyCustomerProfile(existing, input, new Date());
    if (!existing) em.persist(customer);
    if (upserted) events.emit<CustomerUpserted>(CUSTOMER_UPSERTED, upserted, { subject: customer.email });
    return customer;
  });
}

export function customerLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Customer | null>('commerce.customerByEmail', async (emails) => {
    const rows = await ctx.em.find(Customer, { email: { $in: [...emails] } });
    const byEmail = new Map(rows.map((row) => [row.email, row]));
    return emails.map((email) => byEmail.get(email) ?? null);
  });
}

export const customerReference = {
  Customer: {
    __resolveReference(reference: { email: string }, ctx: GraphQLContext) {
      const email = normalizeEmail(reference.email);
      return email ? customerLoader(ctx).load(email) : null;
    },
  },
};
