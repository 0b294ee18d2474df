import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

export type CouponUsageAction = 'applied' | 'removed' | 'consumed';

/** A coupon applied to, removed from, or consumed by a cart (the module's usage tracker). */
@Entity({ tableName: 'coupon_usage' })
@Index({ properties: ['couponId', 'cartId'] })
@Index({ properties: ['cartId'] })
@ObjectType('CouponUsage')
export class CouponUsage {
  [OptionalProps]?: 'recordedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 40 })
  couponId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  cartId!: number;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`applied`, `removed` or `consumed`.' })
  action!: CouponUsageAction;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  prestashopOrderId?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  orderReference?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_customer.' })
  accountId?: number | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  occurredAt!: Date;

  @Property({ type: 'integer', unique: true })
  sourceEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'datetime' })
  recordedAt: Date = new Date();
}
