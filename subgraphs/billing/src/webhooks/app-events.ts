/**
 * Events apps receive (Standard Webhooks body `{ type, timestamp, data }`). Every `data` carries
 * `deployment_id` (null when the subscription has none) so the app can act on the right deployment:
 * - `invoice.payment_failed` → suspend; `invoice.payment_succeeded` / `subscription.reactivated` → restore;
 * - `subscription.terminated` → deprovision; `usage.threshold_reached` (80 % warn, 100 % cap).
 */
export type AppEventType =
  | 'invoice.payment_failed'
  | 'invoice.payment_succeeded'
  | 'subscription.reactivated'
  | 'subscription.terminated'
  | 'usage.threshold_reached';

export interface SubscriptionRef {
  subscription_id: string;
  external_subscription_id: string;
  external_customer_id: string;
  deployment_id: string | null;
  plan_code: string;
}

export interface AppEventBody {
  type: AppEventType;
  timestamp: string;
  data: SubscriptionRef | (Partial<SubscriptionRef> & { deployment_id: string | null }) | Record<string, unknown>;
}

export function appEventBody(type: AppEventType, data: Record<string, unknown> & { deployment_id: string | null }, at = new Date()): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
