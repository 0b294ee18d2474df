import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Money } from '@switchboard/kit';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { shopDecimal, shopMoney } from './money-fields.js';

@ObjectType('OrderState', { description: 'A PrestaShop order state (id_order_state) and its name.' })
export class OrderState {
  @Field(() => Int, { nullable: true }) id!: number | null;
  @Field(() => String, { nullable: true }) name!: string | null;
}

/** An order from the PrestaShop shop. Commerce owns the federated `Order` entity. */
@Entity({ tableName: 'shop_order' })
@Index({ properties: ['placedAt', 'id'] })
@Index({ properties: ['customerEmail'] })
@Index({ properties: ['reference'] })
@Index({ properties: ['accountId'] })
@Index({ properties: ['cartId'] })
@ObjectType('Order')
@Directive('@key(fields: "id")')
export class ShopOrder {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  /** `ps-<id_order>`: stable, and what every other subgraph refers to. */
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'integer', unique: true })
  @Field(() => Int, { description: 'PrestaShop id_order.' })
  prestashopOrderId!: number;

  @Property({ type: 'string', length: 64 })
  @Field(() => String, { description: 'PrestaShop reference (orders split by carrier share one).' })
  reference!: string;

  /** PrestaShop id_customer. */
  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_customer.' })
  accountId?: number | null;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true, description: 'The customer key, once the shop account is known.' })
  customerEmail?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  cartId?: number | null;

  @Property({ type: 'integer', nullable: true })
  stateId?: number | null;

  @Property({ type: 'string', length: 128, nullable: true })
  stateName?: string | null;

  @Property({ type: 'string', length: 3 })
  @Field(() => String)
  currency!: string;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPaidTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPaidTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalProductsTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalProductsTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalDiscountsTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalDiscountsTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalShippingTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalShippingTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalWrappingTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalWrappingTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  conversionRate?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true, description: 'Payment method label, e.g. "Credit Card".' })
  paymentMethod?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true, description: 'Payment module, e.g. stripe_official.' })
  paymentModule?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  carrierId?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  shippingNumber?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Internal (private) note.' })
  note?: string | null;

  /** The shop's date_add, or when we first heard of the order if the shop did not say. */
  @Property({ type: 'datetime' })
  @Field(() => Date)
  placedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: "The shop's date_upd." })
  shopUpdatedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the order first reached a shipped state.' })
  shippedAt?: Date | null;

  /** event_id of the snapshot applied last: older snapshots never overwrite it. */
  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  /** Hash of the snapshot without its state fields: tells an update from a pure state change. */
  @Property({ type: 'string', length: 64 })
  dataHash!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When Switchboard first received the order.' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => OrderState)
  get state(): OrderState {
    return Object.assign(new OrderState(), { id: this.stateId ?? null, name: this.stateName ?? null });
  }

  @Field(() => Money, { nullable: true, description: 'Total paid, tax included.' })
  get totalPaid(): Money | null {
    return shopMoney(this.totalPaidTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'totalPaidTaxExcl' })
  get totalPaidTaxExclMoney(): Money | null {
    return shopMoney(this.totalPaidTaxExcl, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'Products, tax excluded.' })
  get totalProducts(): Money | null {
    return shopMoney(this.totalProductsTaxExcl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'totalProductsTaxIncl' })
  get totalProductsTaxInclMoney(): Money | null {
    return shopMoney(this.totalProductsTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'Discounts, tax included.' })
  get totalDiscounts(): Money | null {
    return shopMoney(this.totalDiscountsTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'Shipping, tax included.' })
  get totalShipping(): Money | null {
    return shopMoney(this.totalShippingTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'Gift wrapping, tax included.' })
  get totalWrapping(): Money | null {
    return shopMoney(this.totalWrappingTaxIncl, this.currency);
  }

  @Field(() => String, { nullable: true, name: 'conversionRate' })
  get conversionRateText(): string | null {
    return shopDecimal(this.conversionRate);
  }
}

export function orderIdOf(prestashopOrderId: number): string {
  return `ps-${prestashopOrderId}`;
}
