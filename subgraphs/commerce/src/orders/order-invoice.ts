import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * An invoice the shop issued for an order (OrderInvoice). Named apart from billing's `Invoice`:
 * this is the shop's document, not Switchboard's ledger invoice.
 */
@Entity({ tableName: 'order_invoice' })
@Index({ properties: ['orderId'] })
@ObjectType('OrderInvoice')
export class OrderInvoice {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  /** PrestaShop id_order_invoice. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int)
  id!: number;

  @Property({ type: 'string', length: 40 })
  @Field(() => String)
  orderId!: string;

  @Property({ type: 'string', length: 32, nullable: true })
  @Field(() => String, { nullable: true, description: 'Invoice number; null until the shop assigns one.' })
  number?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPaidTaxIncl?: string | null;

  @Property({ type: 'decimal', precision: 20, scale: 6, nullable: true })
  totalPaidTaxExcl?: string | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  issuedAt?: Date | null;

  /** invoice_lines as sent (JSON array). */
  @Property({ type: 'text', nullable: true })
  lines?: string | null;

  @Property({ type: 'integer' })
  lastEventId!: number;

  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => GraphQLJSON, { name: 'lines', description: 'invoice_lines as the shop sent them.' })
  get linesJson(): unknown {
    return this.lines ? JSON.parse(this.lines) : [];
  }
}
