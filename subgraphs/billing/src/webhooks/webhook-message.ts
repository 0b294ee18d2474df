import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One webhook sent to an app; its id is the kit delivery's id and the `webhook-id` header, so a
 * receiver can de-duplicate retries. Says which service's secret signs it.
 */
@Entity({ tableName: 'billing_webhook_message' })
@Index({ name: 'billing_webhook_message_service_id_created_at_index', properties: ['serviceId', 'createdAt'] })
export class WebhookMessage {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 100 })
  eventType!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
