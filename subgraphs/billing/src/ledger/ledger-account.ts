import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import type { AccountKind } from './accounts.js';

/** One account of the chart (created on first use from accounts.ts). */
@Entity({ tableName: 'billing_ledger_account' })
@ObjectType('LedgerAccount')
export class LedgerAccount {
  [OptionalProps]?: 'family' | 'channel' | 'createdAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  @Field(() => ID)
  id!: number;

  @Property({ type: 'string', length: 60, unique: 'billing_ledger_account_code_unique' })
  @Field(() => String, { description: '`AR`, `REV-<FAMILY>`, `TAX-PAYABLE`, `CLR-<CHANNEL>`, `SUSPENSE`.' })
  code!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`receivable`, `revenue`, `tax_payable`, `clearing` or `suspense`.' })
  kind!: AccountKind;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => String, { nullable: true, description: 'Revenue family (revenue accounts).' })
  family?: string | null = null;

  @Property({ type: 'string', length: 30, nullable: true })
  @Field(() => String, { nullable: true, description: 'Payment channel (clearing accounts).' })
  channel?: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
