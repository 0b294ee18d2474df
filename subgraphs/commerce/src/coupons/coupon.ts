import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { shopDecimal } from '../orders/money-fields.js';

export type CouponSource = 'cart_rule' | 'specific_price';

/** A PrestaShop cart rule (voucher code) or specific price (catalog discount). */
@Entity({ tableName: 'coupon' })
@Index({ properties: ['code'] })
@ObjectType('Coupon')
export class Coupon {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  /** `cart-rule-<id>` or `specific-price-<id>`: the two id spaces overlap in PrestaShop. */
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`cart_rule` (a voucher) or `specific_price` (a catalog discount).' })
  source!: CouponSource;

  @Property({ type: 'integer' })
  @Field(() => Int)
  prestashopId!: number;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true })
  code?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Restricted to this PrestaShop id_customer (null: anyone).' })
  accountId?: number | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  validFrom?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  validTo?: Date | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Uses left in total.' })
  quantity?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  quantityPerUser?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  priority?: number | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  partialUse?: boolean | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  minimumAmount?: string | null;

  @Property({ type: 'integer', nullable: true })
  minimumAmountCurrencyId?: number | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  minimumAmountTaxIncluded?: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  freeShipping?: boolean | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  reductionPercent?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  reductionAmount?: string | null;

  @Property({ type: 'integer', nullable: true })
  reductionCurrencyId?: number | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  reductionTaxIncluded?: boolean | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  reductionProductId?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  giftProductId?: number | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  highlight?: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the shop deleted it.' })
  deletedAt?: Date | null;

  /** The cart rule as sent (JSON); `{}` while only known from usage events. */
  @Property({ type: 'text' })
  data!: string;

  /** event_id of the data applied last (0 while only known from usage events). */
  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => String, { nullable: true, name: 'reductionPercent', description: 'Percent off, e.g. "10.00".' })
  get reductionPercentText(): string | null {
    return shopDecimal(this.reductionPercent);
  }

  @Field(() => GraphQLJSON, { name: 'data', description: 'Every field of the cart rule as the shop sent it.' })
  get dataJson(): unknown {
    return JSON.parse(this.data);
  }
}

export function couponIdOf(source: CouponSource, prestashopId: number): string {
  return `${source === 'cart_rule' ? 'cart-rule' : 'specific-price'}-${prestashopId}`;
}
