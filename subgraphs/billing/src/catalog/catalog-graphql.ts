import { Money, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { BillingDeps } from '../deps.js';
import { serviceByCode } from '../services/service-graphql.js';
import { Dec, fixed, RATE_SCALE } from '../shared/decimal.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { upsertMetric, upsertPlan } from './catalog-admin.js';
import type { ChargeInput, MetricInput, PlanInput, TierInput } from './catalog-rules.js';
import { Charge, type StoredTier } from './charge.js';
import { Metric } from './metric.js';
import { Plan } from './plan.js';

@ObjectType('BillingMetric')
export class MetricView {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'count, sum, max, last or unique_count' }) aggregation!: string;
  @Field(() => String) unitLabel!: string;
  @Field(() => String, { description: 'none, round, ceil or floor (of the period quantity)' }) roundingMode!: string;
  @Field(() => Int) roundingScale!: number;

  static of(metric: Metric): MetricView {
    const { code, name, aggregation, unitLabel, roundingMode, roundingScale } = metric;
    return Object.assign(new MetricView(), { code, name, aggregation, unitLabel, roundingMode, roundingScale });
  }
}

@ObjectType('BillingTier')
export class TierView {
  @Field(() => String, { nullable: true, description: 'Last unit of the tier (inclusive); null = no end.' }) upTo?: string | null;
  @Field(() => String, { description: 'Per unit batch, 6 dp.' }) unitPrice!: string;
  @Field(() => String) flatFee!: string;
}

@ObjectType('BillingCharge')
export class ChargeView {
  @Field(() => String) metric!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'standard, graduated, package or volume' }) chargeModel!: string;
  @Field(() => String, { description: 'Free units per period.' }) includedQuota!: string;
  @Field(() => String, { description: '6 dp, per unit batch (standard) or per package.' }) pricePerUnit!: string;
  @Field(() => String) unitBatch!: string;
  @Field(() => [TierView]) tiers!: TierView[];
}

@ObjectType('BillingPlan')
export class PlanView {
  @Field(() => ID) id!: string;
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => Money) priceMonthly!: Money;
  @Field(() => Money, { nullable: true }) priceYearly?: Money | null;
  @Field(() => Boolean) active!: boolean;
  @Field(() => [ChargeView]) charges!: ChargeView[];

  static of(plan: Plan, charges: Charge[], metricById: Map<number, Metric>): PlanView {
    return Object.assign(new PlanView(), {
      id: String(plan.id),
      code: plan.code,
      name: plan.name,
      active: plan.active,
      priceMonthly: Money.of(String(plan.priceMonthly), plan.currency),
      priceYearly: plan.priceYearly === null || plan.priceYearly === undefined ? null : Money.of(String(plan.priceYearly), plan.currency),
      charges: charges.map((charge) =>
        Object.assign(new ChargeView(), {
          metric: metricById.get(charge.metricId)?.code ?? '',
          name: charge.name,
          chargeModel: charge.chargeModel,
          includedQuota: new Dec(String(charge.includedQuota)).toString(),
          pricePerUnit: fixed(String(charge.pricePerUnit), RATE_SCALE),
          unitBatch: new Dec(String(charge.unitBatch)).toString(),
          tiers: charge.tiers
            ? (JSON.parse(charge.tiers) as StoredTier[]).map((t) => Object.assign(new TierView(), { upTo: t.up_to, unitPrice: t.unit_price, flatFee: t.flat_fee }))
            : [],
        }),
      ),
    });
  }
}

@InputType('BillingMetricInput')
export class MetricInputGql implements MetricInput {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'count, sum, max, last or unique_count' }) aggregation!: string;
  @Field(() => String) unitLabel!: string;
  @Field(() => String, { nullable: true }) roundingMode?: string | null;
  @Field(() => Int, { nullable: true }) roundingScale?: number | null;
}

@InputType('BillingTierInput')
export class TierInputGql implements TierInput {
  @Field(() => String, { nullable: true }) upTo?: string | null;
  @Field(() => String) unitPrice!: string;
  @Field(() => String, { nullable: true }) flatFee?: string | null;
}

@InputType('BillingChargeInput')
export class ChargeInputGql implements ChargeInput {
  @Field(() => String) metricCode!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String) chargeModel!: string;
  @Field(() => String, { nullable: true, defaultValue: '0' }) includedQuota?: string | null;
  @Field(() => String, { nullable: true }) pricePerUnit?: string | null;
  @Field(() => String, { nullable: true, defaultValue: '1' }) unitBatch?: string | null;
  @Field(() => [TierInputGql], { nullable: true }) tiers?: TierInputGql[] | null;
}

@InputType('BillingPlanInput')
export class PlanInputGql implements PlanInput {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String) currency!: string;
  @Field(() => String) priceMonthly!: string;
  @Field(() => String, { nullable: true }) priceYearly?: string | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
  @Field(() => [ChargeInputGql], { nullable: true, description: 'The complete list: charges not listed are removed.' }) charges?: ChargeInputGql[] | null;
}

async function plansOf(ctx: GraphQLContext, serviceId: string, codes?: string[]): Promise<PlanView[]> {
  const plans = await ctx.em.find(Plan, { serviceId, ...(codes ? { code: { $in: codes } } : {}) }, { orderBy: { code: 'asc' } });
  const charges = await ctx.em.find(Charge, { planId: { $in: plans.map((p) => p.id) } }, { orderBy: { id: 'asc' } });
  const metrics = new Map((await ctx.em.find(Metric, { serviceId })).map((m) => [m.id, m]));
  return plans.map((plan) => PlanView.of(plan, charges.filter((c) => c.planId === plan.id), metrics));
}

@Resolver()
export class CatalogResolver {
  @Authorized('finance', 'ops')
  @Query(() => [MetricView])
  billingMetrics(@Ctx() ctx: GraphQLContext, @Arg('serviceCode', () => String) serviceCode: string): Promise<MetricView[]> {
    return graphqlCall(async () => {
      const service = await serviceByCode(ctx, serviceCode);
      return (await ctx.em.find(Metric, { serviceId: service.id }, { orderBy: { code: 'asc' } })).map(MetricView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => [PlanView])
  billingPlans(@Ctx() ctx: GraphQLContext, @Arg('serviceCode', () => String) serviceCode: string): Promise<PlanView[]> {
    return graphqlCall(async () => plansOf(ctx, (await serviceByCode(ctx, serviceCode)).id));
  }

  @Authorized('finance')
  @Mutation(() => MetricView, { description: 'Create or update a metric by (service, code).' })
  upsertBillingMetric(
    @Ctx() ctx: GraphQLContext<BillingDeps>,
    @Arg('serviceCode', () => String) serviceCode: string,
    @Arg('input', () => MetricInputGql) input: MetricInputGql,
  ): Promise<MetricView> {
    return graphqlCall(() =>
      ctx.deps.transaction(async ({ em }) => MetricView.of(await upsertMetric(em, (await serviceByCode({ ...ctx, em }, serviceCode)).id, input))),
    );
  }

  @Authorized('finance')
  @Mutation(() => PlanView, { description: 'Create or update a plan by (service, code) with its complete list of charges.' })
  upsertBillingPlan(
    @Ctx() ctx: GraphQLContext<BillingDeps>,
    @Arg('serviceCode', () => String) serviceCode: string,
    @Arg('input', () => PlanInputGql) input: PlanInputGql,
  ): Promise<PlanView> {
    return graphqlCall(async () => {
      const serviceId = await ctx.deps.transaction(async ({ em }) => {
        const service = await serviceByCode({ ...ctx, em }, serviceCode);
        await upsertPlan(em, service.id, input);
        return service.id;
      });
      return (await plansOf({ ...ctx, em: ctx.deps.db.em() }, serviceId, [input.code.trim()]))[0]!;
    });
  }
}
