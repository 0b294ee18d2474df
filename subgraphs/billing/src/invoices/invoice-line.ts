import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type InvoiceLineKind = 'flat' | 'usage' | 'one_off';

@Entity({ tableName: 'billing_invoice_line' })
@Index({ name: 'billing_invoice_line_invoice_id_index', properties: ['invoiceId'] })
export class InvoiceLine {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  invoiceId!: string;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 20 })
  kind!: InvoiceLineKind;

  @Property({ type: 'string', length: 300 })
  description!: string;

  @Property({ type: 'integer', nullable: true })
  chargeId?: number | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  metricCode?: string | null = null;

  @Property({ type: 'decimal', precision: 24, scale: 6 })
  quantity!: string;

  /** Units priced after the quota (usage lines); equals `quantity` otherwise. */
  @Property({ type: 'decimal', precision: 24, scale: 6 })
  billableQuantity!: string;

  @Property({ type: 'decimal', precision: 18, scale: 6 })
  unitPrice!: string;

  /** Rated amount before rounding to cents (6 dp). */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  exactAmount!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amount!: string;
}
