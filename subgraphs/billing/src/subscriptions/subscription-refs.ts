import type { EntityManager } from '@mikro-orm/core';
import { AccountLink } from '../accounts/account-link.js';
import { Plan } from '../catalog/plan.js';
import type { SubscriptionRef } from '../webhooks/app-events.js';
import type { SubscriptionSnapshot } from './subscription.js';

/** How apps know a subscription (their own ids, the deployment): loaded for many in two queries. */
export async function subscriptionRefs(em: EntityManager, subscriptions: readonly SubscriptionSnapshot[]): Promise<Map<string, SubscriptionRef>> {
  const links = await em.find(AccountLink, { id: { $in: [...new Set(subscriptions.map((s) => s.accountLinkId))] } });
  const plans = await em.find(Plan, { id: { $in: [...new Set(subscriptions.map((s) => s.planId))] } });
  const linkById = new Map(links.map((l) => [l.id, l]));
  const planById = new Map(plans.map((p) => [p.id, p]));
  return new Map(
    subscriptions.map((s) => [
      s.id,
      {
        subscription_id: s.id,
        external_subscription_id: s.externalId,
        external_customer_id: linkById.get(s.accountLinkId)?.externalId ?? '',
        deployment_id: s.deploymentId ?? null,
        plan_code: planById.get(s.planId)?.code ?? '',
      },
    ]),
  );
}

export async function subscriptionRef(em: EntityManager, subscription: SubscriptionSnapshot): Promise<SubscriptionRef> {
  return (await subscriptionRefs(em, [subscription])).get(subscription.id)!;
}
