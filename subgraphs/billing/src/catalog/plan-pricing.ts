import type { EntityManager } from '@mikro-orm/core';
import type { RatedCharge } from '../rating/rate-period.js';
import type { RoundingMode } from '../rating/quantities.js';
import type { ChargeModel } from '../rating/charge-models.js';
import { placeholders, sql } from '../shared/sql.js';
import { chargeTerms } from './catalog-rules.js';
import type { Aggregation } from './metric.js';
import { Plan } from './plan.js';

/** A plan's charges as rating terms, and each charged metric's aggregation. */
export interface PlanCharges {
  charges: RatedCharge[];
  aggregations: Map<number, Aggregation>;
}

/** A plan with everything rating needs. */
export interface PlanPricing extends PlanCharges {
  plan: Plan;
}

interface ChargeRow {
  id: number;
  plan_id: number;
  metric_id: number;
  name: string;
  charge_model: ChargeModel;
  included_quota: string | number;
  price_per_unit: string | number;
  unit_batch: string | number;
  tiers: string | null;
  code: string;
  aggregation: Aggregation;
  unit_label: string;
  rounding_mode: RoundingMode;
  rounding_scale: number;
}

/** Charges of many plans with their metrics, in one query (the ingestion runs this per request). */
export async function loadPlanCharges(em: EntityManager, planIds: readonly number[]): Promise<Map<number, PlanCharges>> {
  const ids = [...new Set(planIds)];
  const result = new Map<number, PlanCharges>(ids.map((id) => [id, { charges: [], aggregations: new Map() }]));
  if (ids.length === 0) return result;
  const rows = await sql<ChargeRow>(
    em,
    `select c.id, c.plan_id, c.metric_id, c.name, c.charge_model, cast(c.included_quota as text) as included_quota,
       cast(c.price_per_unit as text) as price_per_unit, cast(c.unit_batch as text) as unit_batch, c.tiers,
       m.code, m.aggregation, m.unit_label, m.rounding_mode, m.rounding_scale
     from billing_charge c join billing_metric m on m.id = c.metric_id
     where c.plan_id in (${placeholders(ids.length)}) order by c.id`,
    ids,
  );
  for (const row of rows) {
    const entry = result.get(Number(row.plan_id))!;
    entry.aggregations.set(Number(row.metric_id), row.aggregation);
    entry.charges.push({
      chargeId: Number(row.id),
      metricId: Number(row.metric_id),
      metricCode: row.code,
      description: row.name,
      unitLabel: row.unit_label,
      rounding: { mode: row.rounding_mode, scale: Number(row.rounding_scale) },
      terms: chargeTerms({
        chargeModel: row.charge_model,
        includedQuota: String(row.included_quota),
        pricePerUnit: String(row.price_per_unit),
        unitBatch: String(row.unit_batch),
        tiers: row.tiers,
      }),
    });
  }
  return result;
}

/** Pricing of many plans in two queries. */
export async function loadPlanPricing(em: EntityManager, planIds: readonly number[]): Promise<Map<number, PlanPricing>> {
  const ids = [...new Set(planIds)];
  if (ids.length === 0) return new Map();
  const plans = await em.find(Plan, { id: { $in: ids } });
  const charges = await loadPlanCharges(em, ids);
  return new Map(plans.map((plan) => [plan.id, { plan, ...charges.get(plan.id)! }]));
}
