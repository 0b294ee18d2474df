import type { EntityManager } from '@mikro-orm/core';
import { InputError } from '../shared/validation.js';
import { Charge } from './charge.js';
import { checkMetric, checkPlan, type MetricInput, type PlanInput } from './catalog-rules.js';
import { Metric } from './metric.js';
import { Plan } from './plan.js';

/** Create or update a metric by (service, code). Changing the aggregation re-reads every open period. */
export async function upsertMetric(em: EntityManager, serviceId: string, input: MetricInput): Promise<Metric> {
  const checked = checkMetric(input);
  let metric = await em.findOne(Metric, { serviceId, code: checked.code });
  if (!metric) {
    metric = em.create(Metric, { serviceId, ...checked });
    em.persist(metric);
  } else {
    Object.assign(metric, checked, { updatedAt: new Date() });
  }
  return metric;
}

/**
 * Create or update a plan by (service, code) with its complete list of charges: charges are
 * matched by metric, updated in place, added, or removed when no longer listed.
 */
export async function upsertPlan(em: EntityManager, serviceId: string, input: PlanInput): Promise<{ plan: Plan; charges: Charge[] }> {
  const checked = checkPlan(input);
  const metrics = await em.find(Metric, { serviceId, code: { $in: checked.charges.map((c) => c.metricCode) } });
  const metricByCode = new Map(metrics.map((m) => [m.code, m]));
  checked.charges.forEach((charge, index) => {
    if (!metricByCode.has(charge.metricCode)) throw new InputError(`charges[${index}].metricCode`, `names no metric of this service: ${charge.metricCode}`);
  });

  const { charges: _charges, ...planFields } = checked;
  let plan = await em.findOne(Plan, { serviceId, code: checked.code });
  if (!plan) {
    plan = em.create(Plan, { serviceId, ...planFields });
    em.persist(plan);
    await em.flush(); // the charges need the plan's id
  } else {
    Object.assign(plan, planFields, { updatedAt: new Date() });
  }

  const existing = await em.find(Charge, { planId: plan.id });
  const byMetric = new Map(existing.map((c) => [c.metricId, c]));
  const kept: Charge[] = [];
  for (const input of checked.charges) {
    const metric = metricByCode.get(input.metricCode)!;
    const fields = {
      name: input.name ?? `${metric.name} — ${plan.name}`,
      chargeModel: input.chargeModel,
      includedQuota: input.includedQuota,
      pricePerUnit: input.pricePerUnit,
      unitBatch: input.unitBatch,
      tiers: input.tiers ? JSON.stringify(input.tiers) : null,
    };
    let charge = byMetric.get(metric.id);
    if (charge) {
      Object.assign(charge, fields, { updatedAt: new Date() });
      byMetric.delete(metric.id);
    } else {
      charge = em.create(Charge, { planId: plan.id, metricId: metric.id, ...fields });
      em.persist(charge);
    }
    kept.push(charge);
  }
  for (const removed of byMetric.values()) em.remove(removed);
  return { plan, charges: kept };
}
