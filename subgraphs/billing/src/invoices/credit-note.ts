import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** A credit against an issued invoice (the reversal of all or part of it). */
@Entity({ tableName: 'billing_credit_note' })
@Index({ name: 'billing_credit_note_invoice_id_index', properties: ['invoiceId'] })
export class CreditNote {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 60 })
  @Unique({ name: 'billing_credit_note_number_unique' })
  number!: string;

  @Property({ type: 'string', length: 36 })
  invoiceId!: string;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amount!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 500 })
  reason!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
