import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Money } from '@switchboard/kit';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { shopDecimal, shopMoney } from './money-fields.js';

/** One product line of an order, with the module's full line data (70+ fields) kept as sent. */
@Entity({ tableName: 'order_line' })
@Index({ properties: ['orderId', 'position'] })
@ObjectType('OrderLine')
export class OrderLine {
  /** `<order id>:<id_order_detail>` (or `:pos<n>` when the shop sent no detail id). */
  @PrimaryKey({ type: 'string', length: 80 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 40 })
  orderId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Position in the order (0-based), as the shop listed the lines.' })
  position!: number;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_order_detail.' })
  orderDetailId?: number | null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'PrestaShop product_id.' })
  productId!: number;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop product_attribute_id (combination); null without one.' })
  variantId?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true, description: 'product_reference, the SKU.' })
  sku?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true })
  ean13?: string | null;

  @Property({ type: 'string', length: 255 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  quantity!: number;

  @Property({ type: 'integer' })
  @Field(() => Int)
  quantityRefunded!: number;

  @Property({ type: 'integer' })
  @Field(() => Int)
  quantityReturned!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  unitPriceTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  unitPriceTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPriceTaxExcl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPriceTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  taxAmount?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  taxRate?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  reductionPercent?: string | null;

  /** The line exactly as the module sent it (JSON). */
  @Property({ type: 'text' })
  data!: string;

  @Field(() => Money, { nullable: true, name: 'unitPriceTaxExcl' })
  get unitPriceTaxExclMoney(): Money | null {
    return shopMoney(this.unitPriceTaxExcl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'unitPriceTaxIncl' })
  get unitPriceTaxInclMoney(): Money | null {
    return shopMoney(this.unitPriceTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'totalPriceTaxExcl' })
  get totalPriceTaxExclMoney(): Money | null {
    return shopMoney(this.totalPriceTaxExcl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'totalPriceTaxIncl' })
  get totalPriceTaxInclMoney(): Money | null {
    return shopMoney(this.totalPriceTaxIncl, this.currency);
  }

  @Field(() => Money, { nullable: true, name: 'taxAmount', description: 'product_tax: the line total incl. minus excl. tax.' })
  get taxAmountMoney(): Money | null {
    return shopMoney(this.taxAmount, this.currency);
  }

  @Field(() => String, { nullable: true, name: 'taxRate', description: 'Percent, e.g. "21.00".' })
  get taxRateText(): string | null {
    return shopDecimal(this.taxRate);
  }

  @Field(() => String, { nullable: true, name: 'reductionPercent' })
  get reductionPercentText(): string | null {
    return shopDecimal(this.reductionPercent);
  }

  @Field(() => GraphQLJSON, { name: 'data', description: 'Every field of the line as the shop sent it.' })
  get dataJson(): unknown {
    return JSON.parse(this.data);
  }
}
