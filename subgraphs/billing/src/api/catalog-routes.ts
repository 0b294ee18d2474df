import type { EntityManager } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';
import { Charge } from '../catalog/charge.js';
import { Metric } from '../catalog/metric.js';
import { Plan } from '../catalog/plan.js';
import type { BillingDeps } from '../deps.js';
import { serviceOf } from './api-auth.js';
import { metricJson, planJson } from './serializers.js';

async function catalog(em: EntityManager, serviceId: string, activeOnly: boolean) {
  const plans = await em.find(Plan, { serviceId, ...(activeOnly ? { active: true } : {}) }, { orderBy: { code: 'asc' } });
  const charges = await em.find(Charge, { planId: { $in: plans.map((p) => p.id) } }, { orderBy: { id: 'asc' } });
  const metrics = await em.find(Metric, { serviceId }, { orderBy: { code: 'asc' } });
  const metricById = new Map(metrics.map((m) => [m.id, m]));
  return {
    metrics: metrics.map(metricJson),
    plans: plans.map((plan) => planJson(plan, charges.filter((c) => c.planId === plan.id), metricById)),
  };
}

export async function catalogRoutes(app: FastifyInstance, deps: BillingDeps): Promise<void> {
  /** The plans the app may sell (active ones), with their charges. */
  app.get('/plans', async (request) => ({ plans: (await catalog(deps.db.em(), serviceOf(request).id, true)).plans }));
  /** Everything the app's entitlements key on: metrics and every plan, active or not. */
  app.get('/catalog', async (request) => catalog(deps.db.em(), serviceOf(request).id, false));
}
