import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An app's own customer id folded into one billing customer: (service, external id) → e-mail,
 * the key every subgraph shares. Unique per service and external id.
 */
@Entity({ tableName: 'billing_account_link' })
@Unique({ name: 'billing_account_link_service_id_external_id_unique', properties: ['serviceId', 'externalId'] })
export class AccountLink {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 200 })
  externalId!: string;

  @Property({ type: 'string', length: 254, index: 'billing_account_link_email_index' })
  email!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
