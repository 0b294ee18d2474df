import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Money } from '@switchboard/kit';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A money movement the payments subgraph knows of: a Clover charge, refund or credit, or a WEX
 * virtual card issued to pay a vendor. Payments owns the federated `Payment` entity.
 */
@Entity({ tableName: 'payment' })
@Index({ properties: ['customerEmail', 'createdAt'] })
@ObjectType('Payment')
@Directive('@key(fields: "id")')
export class Payment {
  [OptionalProps]?: 'createdAt' | 'amount';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, { description: '`charge`, `refund`, `credit` or `virtual_card`.' })
  kind!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, { description: '`clover` or `wex`.' })
  provider!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, { description: '`pending`, `succeeded`, `failed`, `refunded`, `voided`.' })
  status!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amountValue!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true, description: 'Invoice or order the payment settles.' })
  reference?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Field(() => Money)
  get amount(): Money {
    return Money.of(this.amountValue, this.currency);
  }
}
