import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** One entry of an order's state history (ps_order_history). */
@Entity({ tableName: 'order_status_change' })
@Index({ properties: ['orderId'] })
@ObjectType('OrderStatusChange')
export class OrderStatusChange {
  /** PrestaShop id_order_history. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  @Field(() => Int)
  id!: number;

  @Property({ type: 'string', length: 40 })
  orderId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  stateId!: number;

  @Property({ type: 'string', length: 128, nullable: true })
  @Field(() => String, { nullable: true })
  stateName?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Back-office employee; 0 or null when automatic.' })
  employeeId?: number | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  changedAt?: Date | null;
}
