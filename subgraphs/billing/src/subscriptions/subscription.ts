import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { BillingInterval } from '../rating/periods.js';

/**
 * `active`: billed every period. `past_due`: an invoice's payment failed (the app suspends).
 * `terminated`: ended; nothing more is billed after its last period is closed.
 */
export type SubscriptionStatus = 'active' | 'past_due' | 'terminated';
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due', 'terminated'];

/** A customer's plan at one service, billed per period from its anchor (its start). */
@Entity({ tableName: 'billing_subscription' })
@Unique({ name: 'billing_subscription_service_id_external_id_unique', properties: ['serviceId', 'externalId'] })
@Index({ name: 'billing_subscription_customer_email_index', properties: ['customerEmail'] })
@Index({ name: 'billing_subscription_status_current_period_end_index', properties: ['status', 'currentPeriodEnd'] })
export class Subscription {
  [OptionalProps]?: 'status' | 'shadow' | 'deploymentId' | 'terminatedAt' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  /** The app's subscription id: the key the app uses in every call. */
  @Property({ type: 'string', length: 200 })
  externalId!: string;

  @Property({ type: 'integer' })
  accountLinkId!: number;

  /** The customer (the link's e-mail), kept here for per-customer look-ups. */
  @Property({ type: 'string', length: 254 })
  customerEmail!: string;

  @Property({ type: 'integer' })
  planId!: number;

  @Property({ type: 'string', length: 10 })
  billingInterval!: BillingInterval;

  /** Periods repeat from this instant (the start). */
  @Property({ type: 'datetime' })
  anchorAt!: Date;

  @Property({ type: 'datetime' })
  currentPeriodStart!: Date;

  @Property({ type: 'datetime' })
  currentPeriodEnd!: Date;

  @Property({ type: 'string', length: 20 })
  status: SubscriptionStatus = 'active';

  /**
   * Shadow (dual-run) subscriptions are metered and can be inspected, but never invoiced,
   * never charged and never announced to the app.
   */
  @Property({ type: 'boolean' })
  shadow: boolean = false;

  /** The app's deployment this subscription pays for; carried by every webhook. */
  @Property({ type: 'string', length: 200, nullable: true })
  deploymentId?: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  terminatedAt?: Date | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}

/** What reads of the hot paths (usage ingestion, thresholds, webhook refs) need of a subscription. */
export type SubscriptionSnapshot = Pick<
  Subscription,
  | 'id' | 'serviceId' | 'externalId' | 'accountLinkId' | 'customerEmail' | 'planId' | 'billingInterval' | 'anchorAt'
  | 'currentPeriodStart' | 'currentPeriodEnd' | 'status' | 'shadow' | 'deploymentId' | 'terminatedAt'
>;
