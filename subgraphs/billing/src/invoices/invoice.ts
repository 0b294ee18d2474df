import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * `draft`: the open period's invoice, re-rated as usage arrives. `open`: issued (numbered), awaiting
 * payment. `paid`. `void`: cancelled before payment. A paid invoice is corrected by credit notes.
 */
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'open', 'paid', 'void'];
export type InvoiceKind = 'subscription' | 'one_off';

/** A bill to one customer from one service (one invoice per service, never merged). */
@Entity({ tableName: 'billing_invoice' })
@Unique({ name: 'billing_invoice_subscription_id_period_start_unique', properties: ['subscriptionId', 'periodStart'] })
@Index({ name: 'billing_invoice_customer_email_index', properties: ['customerEmail'] })
@Index({ name: 'billing_invoice_service_id_status_index', properties: ['serviceId', 'status'] })
export class Invoice {
  [OptionalProps]?:
    | 'status' | 'number' | 'subscriptionId' | 'periodStart' | 'periodEnd' | 'exactTotal' | 'creditedAmount'
    | 'issuedAt' | 'paidAt' | 'voidedAt' | 'paymentFailedAt' | 'paymentAttempts' | 'lastPaymentError'
    | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  /** Assigned when issued: `<SERVICE>-<YYYY>-<000001>`. */
  @Property({ type: 'string', length: 60, nullable: true })
  @Unique({ name: 'billing_invoice_number_unique' })
  number?: string | null = null;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 254 })
  customerEmail!: string;

  /** The app's customer id at the time of the invoice. */
  @Property({ type: 'string', length: 200 })
  externalCustomerId!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  subscriptionId?: string | null = null;

  @Property({ type: 'string', length: 20 })
  kind!: InvoiceKind;

  @Property({ type: 'string', length: 20 })
  status: InvoiceStatus = 'draft';

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'datetime', nullable: true })
  periodStart?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  periodEnd?: Date | null = null;

  /** Σ lines, in cents. */
  @Property({ type: 'decimal', precision: 18, scale: 2 })
  subtotal!: string;

  /** Σ exact (6 dp) line amounts: what reconciliation compares with the app's figures. */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  exactTotal: string = '0';

  /** Σ credit notes. */
  @Property({ type: 'decimal', precision: 18, scale: 2 })
  creditedAmount: string = '0';

  @Property({ type: 'datetime', nullable: true })
  issuedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  paidAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  voidedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  paymentFailedAt?: Date | null = null;

  @Property({ type: 'integer' })
  paymentAttempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastPaymentError?: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
