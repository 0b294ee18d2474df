import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Money } from '@switchboard/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { shopDecimal, shopMoney } from './money-fields.js';

/**
 * A payment recorded by the shop (ps_order_payment). PrestaShop links payments to an order
 * reference, which orders split by carrier share. Only the card's last four digits are kept.
 */
@Entity({ tableName: 'order_payment' })
@Index({ properties: ['orderReference'] })
@Index({ properties: ['transactionId'] })
@ObjectType('OrderPayment')
export class OrderPayment {
  /** PrestaShop id_order_payment. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int)
  id!: number;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  orderReference!: string;

  @Property({ type: 'string', length: 3, nullable: true })
  currency?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6 })
  amount!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  paymentMethod?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true, description: "The payment provider's transaction id." })
  transactionId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  cardBrand?: string | null;

  @Property({ type: 'string', length: 4, nullable: true })
  @Field(() => String, { nullable: true })
  cardLastFour?: string | null;

  @Property({ type: 'string', length: 16, nullable: true })
  @Field(() => String, { nullable: true })
  cardExpiration?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  cardHolder?: string | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  paidAt?: Date | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  conversionRate?: string | null;

  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Field(() => Money, { nullable: true, name: 'amount', description: 'Null when the currency is unknown.' })
  get amountMoney(): Money | null {
    return shopMoney(this.amount, this.currency);
  }

  @Field(() => String, { nullable: true, name: 'conversionRate' })
  get conversionRateText(): string | null {
    return shopDecimal(this.conversionRate);
  }
}
