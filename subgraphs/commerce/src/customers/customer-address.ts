import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** A postal address of a shop account; address hooks arrive folded into customer updates. */
@ObjectType('CustomerAddress')
@Entity({ tableName: 'customer_address' })
@Index({ properties: ['accountId'] })
export class CustomerAddress {
  [OptionalProps]?: 'updatedAt';

  /** PrestaShop `id_address`. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int, { description: 'PrestaShop id_address.' })
  id!: number;

  /** PrestaShop `id_customer` (ShopCustomerAccount.id). */
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'PrestaShop id_customer.' })
  accountId!: number;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  alias?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  company?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  address1?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  address2?: string | null;

  @Property({ type: 'string', length: 32, nullable: true })
  @Field(() => String, { nullable: true })
  postcode?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  city?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_country.' })
  countryId?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_state.' })
  stateId?: number | null;

  @Property({ type: 'string', length: 32, nullable: true })
  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Property({ type: 'string', length: 32, nullable: true })
  @Field(() => String, { nullable: true })
  phoneMobile?: string | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  deletedAt?: Date | null;

  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
