import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * A customer account in the PrestaShop shop. Several accounts can share one e-mail (guest
 * checkouts create a new account each time), so accounts are keyed by PrestaShop id and point to
 * the federated `Customer` by e-mail.
 */
@ObjectType('ShopCustomerAccount')
@Entity({ tableName: 'shop_customer_account' })
@Index({ properties: ['email'] })
export class ShopCustomerAccount {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  /** PrestaShop `id_customer`. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int, { description: 'PrestaShop id_customer.' })
  id!: number;

  @Property({ type: 'string', length: 254 })
  @Field(() => String)
  email!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  defaultGroupId?: number | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  newsletter?: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  optin?: boolean | null;

  /** The shop's `date_add`. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  registeredAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the shop deleted the account.' })
  deletedAt?: Date | null;

  /** event_id of the data applied last: older events never overwrite it. */
  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
