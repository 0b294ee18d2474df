import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** A customer message on an order (ps_message). */
@Entity({ tableName: 'order_message' })
@Index({ properties: ['orderId'] })
@ObjectType('OrderMessage')
export class OrderMessage {
  /** PrestaShop id_message. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int)
  id!: number;

  @Property({ type: 'string', length: 40 })
  orderId!: string;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'PrestaShop id_customer of the author.' })
  accountId?: number | null;

  @Property({ type: 'text' })
  @Field(() => String)
  message!: string;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Private messages are not shown to the customer.' })
  private!: boolean;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  sentAt?: Date | null;
}
