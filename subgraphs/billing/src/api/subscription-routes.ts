import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { AccountLink } from '../accounts/account-link.js';
import type { FastifyInstance } from 'fastify';
import type { BillingDeps } from '../deps.js';
import { InputError, NotFoundError } from '../shared/validation.js';
import { SUBSCRIPTION_STATUSES, type Subscription, type SubscriptionStatus } from '../subscriptions/subscription.js';
import { subscriptionRefs } from '../subscriptions/subscription-refs.js';
import { createSubscription, findSubscription, terminateSubscription, updateSubscription, type SubscriptionInput } from '../subscriptions/subscriptions.js';
import { Subscription as SubscriptionEntity } from '../subscriptions/subscription.js';
import { serviceOf } from './api-auth.js';
import { listLimit, subscriptionJson } from './serializers.js';

async function present(em: EntityManager, subscriptions: Subscription[]) {
  const refs = await subscriptionRefs(em, subscriptions);
  return subscriptions.map((s) => {
    const ref = refs.get(s.id)!;
    return subscriptionJson(s, { planCode: ref.plan_code, externalCustomerId: ref.external_customer_id });
  });
}

async function mustFind(em: EntityManager, serviceId: string, id: string): Promise<Subscription> {
  const subscription = await findSubscription(em, serviceId, id);
  if (!subscription) throw new NotFoundError(`no subscription ${id} at this service`);
  return subscription;
}

export async function subscriptionRoutes(app: FastifyInstance, deps: BillingDeps): Promise<void> {
  app.post('/subscriptions', async (request, reply) => {
    const service = serviceOf(request);
    const { created, json } = await deps.transaction(async (tx) => {
      const result = await createSubscription(tx, deps, service, (request.body ?? {}) as SubscriptionInput);
      return { created: result.created, json: (await present(tx.em, [result.subscription]))[0] };
    });
    return reply.code(created ? 201 : 200).send({ subscription: json });
  });

  app.get<{ Querystring: { external_customer_id?: string; status?: string; limit?: string } }>('/subscriptions', async (request) => {
    const service = serviceOf(request);
    const em = deps.db.em();
    const { external_customer_id: customerId, status } = request.query;
    if (status !== undefined && !SUBSCRIPTION_STATUSES.includes(status as SubscriptionStatus)) {
      throw new InputError('status', `must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
    }
    const where: FilterQuery<Subscription> = { serviceId: service.id, ...(status ? { status: status as SubscriptionStatus } : {}) };
    if (customerId !== undefined) {
      const link = await em.findOne(AccountLink, { serviceId: service.id, externalId: customerId });
      if (!link) return { subscriptions: [] };
      where.accountLinkId = link.id;
    }
    const rows = await em.find(SubscriptionEntity, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: listLimit(request.query.limit) });
    return { subscriptions: await present(em, rows) };
  });

  app.get<{ Params: { id: string } }>('/subscriptions/:id', async (request) => {
    const em = deps.db.em();
    const subscription = await mustFind(em, serviceOf(request).id, request.params.id);
    return { subscription: (await present(em, [subscription]))[0] };
  });

  app.put<{ Params: { id: string } }>('/subscriptions/:id', async (request) => {
    const service = serviceOf(request);
    const json = await deps.transaction(async (tx) => {
      const subscription = await mustFind(tx.em, service.id, request.params.id);
      await updateSubscription(tx, deps, service, subscription, (request.body ?? {}) as SubscriptionInput);
      return (await present(tx.em, [subscription]))[0];
    });
    return { subscription: json };
  });

  /** Terminate: the open period is invoiced now and the app is told to deprovision. Idempotent. */
  app.delete<{ Params: { id: string } }>('/subscriptions/:id', async (request) => {
    const service = serviceOf(request);
    const json = await deps.transaction(async (tx) => {
      const subscription = await mustFind(tx.em, service.id, request.params.id);
      await terminateSubscription(tx, deps, service, subscription);
      return (await present(tx.em, [subscription]))[0];
    });
    return { subscription: json };
  });
}
