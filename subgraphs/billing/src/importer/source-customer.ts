import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * What an app knows of one of its customers beyond the e-mail (billing address, tax id, the
 * payment provider's customer id, reused when the subscription goes live). Keyed like the account
 * link: (service, external id).
 */
@Entity({ tableName: 'billing_source_customer' })
@Unique({ name: 'billing_source_customer_service_id_external_id_unique', properties: ['serviceId', 'externalId'] })
export class SourceCustomer {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 200 })
  externalId!: string;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  fullName?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  company?: string | null;

  @Property({ type: 'string', length: 300, nullable: true })
  billingAddress?: string | null;

  @Property({ type: 'string', length: 120, nullable: true })
  billingCity?: string | null;

  @Property({ type: 'string', length: 120, nullable: true })
  billingState?: string | null;

  @Property({ type: 'string', length: 30, nullable: true })
  billingPostalCode?: string | null;

  @Property({ type: 'string', length: 120, nullable: true })
  billingCountry?: string | null;

  @Property({ type: 'string', length: 60, nullable: true })
  taxId?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  providerCustomerId?: string | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
