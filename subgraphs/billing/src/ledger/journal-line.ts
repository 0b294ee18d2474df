import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** One debit or credit of a journal entry (whole cents; exactly one side is non-zero). */
@Entity({ tableName: 'billing_journal_line' })
@Index({ name: 'billing_journal_line_entry_id_index', properties: ['entryId'] })
@Index({ name: 'billing_journal_line_account_id_currency_index', properties: ['accountId', 'currency'] })
@Index({ name: 'billing_journal_line_customer_email_currency_index', properties: ['customerEmail', 'currency'] })
export class JournalLine {
  [OptionalProps]?: 'customerEmail';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  entryId!: string;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'integer' })
  accountId!: number;

  /** Copied from the entry so balances are one scan of this table. */
  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  debit!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  credit!: string;

  /** The customer sub-ledger: set on receivable lines. */
  @Property({ type: 'string', length: 254, nullable: true })
  customerEmail?: string | null = null;

  @Property({ type: 'string', length: 300 })
  memo!: string;
}
