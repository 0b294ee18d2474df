import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export type LedgerPaymentKind = 'charge' | 'refund';
/**
 * `applied`: booked against its invoice. `unmatched`: parked in suspense, listed for
 * reconciliation until someone applies it. `reversed`: its entry was reversed.
 */
export type LedgerPaymentStatus = 'applied' | 'unmatched' | 'reversed';

/** Money received or paid back, as the ledger booked it; unique per source. */
@Entity({ tableName: 'billing_ledger_payment' })
@Unique({ name: 'billing_ledger_payment_source_key_unique', properties: ['sourceKey'] })
@Index({ name: 'billing_ledger_payment_ledger_invoice_id_index', properties: ['ledgerInvoiceId'] })
@Index({ name: 'billing_ledger_payment_status_occurred_at_index', properties: ['status', 'occurredAt'] })
@Index({ name: 'billing_ledger_payment_payment_id_index', properties: ['paymentId'] })
export class LedgerPayment {
  [OptionalProps]?:
    | 'paymentId' | 'ledgerInvoiceId' | 'invoiceReference' | 'orderId' | 'customerEmail' | 'chargeId'
    | 'unmatchedReason' | 'applyEntryId' | 'appliedAt' | 'appliedBy' | 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  /** `payments:<payment id>` (events) or `import:<service id>:<invoice id>:paid:<cumulative>` (ingest). */
  @Property({ type: 'string', length: 300 })
  sourceKey!: string;

  /** The payments subgraph's payment id (federated `Payment`), when it came from there. */
  @Property({ type: 'string', length: 64, nullable: true })
  paymentId?: string | null = null;

  @Property({ type: 'string', length: 10 })
  kind!: LedgerPaymentKind;

  /** Channel / clearing account: `stripe`, `clover`, … */
  @Property({ type: 'string', length: 30 })
  provider!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amount!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 10 })
  status!: LedgerPaymentStatus;

  @Property({ type: 'string', length: 36, nullable: true })
  ledgerInvoiceId?: string | null = null;

  /** The invoice reference as the payment carried it (kept even when nothing matched). */
  @Property({ type: 'string', length: 200, nullable: true })
  invoiceReference?: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  orderId?: string | null = null;

  @Property({ type: 'string', length: 254, nullable: true })
  customerEmail?: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  chargeId?: string | null = null;

  @Property({ type: 'string', length: 300, nullable: true })
  unmatchedReason?: string | null = null;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  /** The entry that booked it (clearing ↔ receivable or suspense). */
  @Property({ type: 'string', length: 36 })
  entryId!: string;

  /** The entry that moved it out of suspense onto its invoice. */
  @Property({ type: 'string', length: 36, nullable: true })
  applyEntryId?: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  appliedAt?: Date | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  appliedBy?: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
