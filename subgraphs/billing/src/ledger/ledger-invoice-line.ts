import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** One item of a ledger invoice, with the revenue family it is booked to. */
@Entity({ tableName: 'billing_ledger_invoice_line' })
@Index({ name: 'billing_ledger_invoice_line_invoice_id_index', properties: ['invoiceId'] })
export class LedgerInvoiceLine {
  [OptionalProps]?: 'periodStart';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  invoiceId!: string;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 500 })
  description!: string;

  @Property({ type: 'decimal', precision: 24, scale: 6 })
  quantity!: string;

  @Property({ type: 'decimal', precision: 18, scale: 6 })
  unitPrice!: string;

  /** The source's amount, exact (NexaCloud uses 4 decimals); the posting rounds per family. */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  amount!: string;

  @Property({ type: 'string', length: 40 })
  family!: string;

  /** False when no revenue rule matched (booked to `other`, flagged for review). */
  @Property({ type: 'boolean' })
  familyMatched!: boolean;

  @Property({ type: 'datetime', nullable: true })
  periodStart?: Date | null = null;
}
