import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * `matched`: the payment is on its invoice (booked so, or applied by this run from an exact
 * reference). `suggested`: amount and date fit one invoice; a person applies it.
 * `unmatched_payment` / `unmatched_invoice`: nothing fits; listed for a person.
 */
export type PaymentMatchKind = 'matched' | 'suggested' | 'unmatched_payment' | 'unmatched_invoice';
export const PAYMENT_MATCH_KINDS: readonly PaymentMatchKind[] = ['matched', 'suggested', 'unmatched_payment', 'unmatched_invoice'];

/** One line of a payments ↔ invoices reconciliation run. */
@Entity({ tableName: 'billing_payment_match' })
@Index({ name: 'billing_payment_match_run_id_kind_index', properties: ['runId', 'kind'] })
export class PaymentMatch {
  [OptionalProps]?: 'ledgerPaymentId' | 'ledgerInvoiceId' | 'method' | 'reason';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  runId!: string;

  @Property({ type: 'string', length: 20 })
  kind!: PaymentMatchKind;

  @Property({ type: 'string', length: 36, nullable: true })
  ledgerPaymentId?: string | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  ledgerInvoiceId?: string | null = null;

  /** `booked`, `reference` or `amount_date`. */
  @Property({ type: 'string', length: 20, nullable: true })
  method?: string | null = null;

  /** The payment's amount, or the invoice's open amount. */
  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amount!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 300, nullable: true })
  reason?: string | null = null;
}
