import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** An order ↔ coupon link, derived from the coupon's usage on the order's cart. */
@Entity({ tableName: 'order_coupon' })
@Index({ properties: ['orderId'] })
@Index({ properties: ['couponId'] })
export class OrderCoupon {
  [OptionalProps]?: 'linkedAt';

  /** `<order id>|<coupon id>` */
  @PrimaryKey({ type: 'string', length: 90 })
  id!: string;

  @Property({ type: 'string', length: 40 })
  orderId!: string;

  @Property({ type: 'string', length: 40 })
  couponId!: string;

  @Property({ type: 'integer', nullable: true })
  cartId?: number | null;

  @Property({ type: 'datetime' })
  linkedAt: Date = new Date();
}

export function orderCouponIdOf(orderId: string, couponId: string): string {
  return `${orderId}|${couponId}`;
}
