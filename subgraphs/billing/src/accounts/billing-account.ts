import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { Money } from '@switchboard/kit';

/** A customer's billing account; opened when commerce announces the customer. */
@Entity({ tableName: 'billing_account' })
@ObjectType('BillingAccount')
export class BillingAccount {
  [OptionalProps]?: 'currency' | 'status' | 'balanceAmount' | 'openedAt' | 'number' | 'balance';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 254, unique: true })
  @Field(() => String)
  email!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Name on invoices, as last announced by commerce.' })
  name!: string;

  @Property({ type: 'string', length: 3 })
  @Field(() => String)
  currency: string = 'USD';

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`active` or `closed`.' })
  status: string = 'active';

  /** Outstanding balance as a 2-decimal string (positive = the customer owes). */
  @Property({ type: 'decimal', precision: 18, scale: 2 })
  balanceAmount: string = '0.00';

  @Property({ type: 'datetime' })
  @Field(() => Date)
  openedAt: Date = new Date();

  @Field(() => String, { description: 'Human-readable account number.' })
  get number(): string {
    return `BA-${String(this.id).padStart(6, '0')}`;
  }

  @Field(() => Money)
  get balance(): Money {
    return Money.of(this.balanceAmount, this.currency);
  }
}
