import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * `draft`: prepared, rewritten by the next ingest, not in the balances. `posted`: booked (its entry is
 * immutable). `void`: voided by its issuer after posting; its entry was reversed.
 */
export type LedgerInvoiceStatus = 'draft' | 'posted' | 'void';
/** `import`: ingested from an app's database. `billing`: an invoice Switchboard issued (issue 8's `Invoice`). */
export type LedgerInvoiceOrigin = 'import' | 'billing';

/**
 * The ledger's receivable document: one per invoice the ledger knows, whatever issued it. Payments
 * are applied to it; its journal entry is the posting. Unique per source key.
 */
@Entity({ tableName: 'billing_ledger_invoice' })
@Unique({ name: 'billing_ledger_invoice_source_key_unique', properties: ['sourceKey'] })
@Index({ name: 'billing_ledger_invoice_service_id_status_index', properties: ['serviceId', 'status'] })
@Index({ name: 'billing_ledger_invoice_customer_email_index', properties: ['customerEmail'] })
@Index({ name: 'billing_ledger_invoice_billing_invoice_id_index', properties: ['billingInvoiceId'] })
@Index({ name: 'billing_ledger_invoice_external_id_index', properties: ['externalId'] })
@Index({ name: 'billing_ledger_invoice_number_index', properties: ['number'] })
@Index({ name: 'billing_ledger_invoice_provider_invoice_id_index', properties: ['providerInvoiceId'] })
export class LedgerInvoice {
  [OptionalProps]?:
    | 'status' | 'billingInvoiceId' | 'externalId' | 'number' | 'providerInvoiceId' | 'externalCustomerId' | 'customerName'
    | 'subscriptionExternalId' | 'sourceStatus' | 'sourceAmountPaid' | 'sourcePaidAt' | 'flags' | 'problems' | 'entryId' | 'revision'
    | 'upstreamChangedAt' | 'postedAt' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  /** `import:<service id>:<external id>` or `billing:<invoice id>`. */
  @Property({ type: 'string', length: 300 })
  sourceKey!: string;

  @Property({ type: 'string', length: 10 })
  origin!: LedgerInvoiceOrigin;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  billingInvoiceId?: string | null = null;

  /** The app's invoice id. */
  @Property({ type: 'string', length: 200, nullable: true })
  externalId?: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  number?: string | null = null;

  /** The payment provider's invoice id (`in_…` at Stripe, `lago:…`): a payment reference. */
  @Property({ type: 'string', length: 200, nullable: true })
  providerInvoiceId?: string | null = null;

  @Property({ type: 'string', length: 254 })
  customerEmail!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  externalCustomerId?: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  customerName?: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  subscriptionExternalId?: string | null = null;

  @Property({ type: 'datetime' })
  issuedAt!: Date;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  subtotal!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  tax!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  total!: string;

  /** Whole percent derived from the source. */
  @Property({ type: 'integer' })
  taxRate!: number;

  @Property({ type: 'string', length: 10 })
  status: LedgerInvoiceStatus = 'draft';

  /** The source's own status when last read (`open`, `paid`, …). */
  @Property({ type: 'string', length: 30, nullable: true })
  sourceStatus?: string | null = null;

  /** What the source said was paid when last read. */
  @Property({ type: 'decimal', precision: 18, scale: 2, nullable: true })
  sourceAmountPaid?: string | null = null;

  /** When the source says it was paid. */
  @Property({ type: 'datetime', nullable: true })
  sourcePaidAt?: Date | null = null;

  /** JSON array of flags (`tax_mismatch`, `subtotal_mismatch`, `family_review`). */
  @Property({ type: 'text' })
  flags: string = '[]';

  /** JSON array of sentences explaining the flags. */
  @Property({ type: 'text' })
  problems: string = '[]';

  /** Fingerprint of the source content (see invoiceFingerprint). */
  @Property({ type: 'string', length: 64 })
  fingerprint!: string;

  /** Set when a posted invoice was found changed at the source (reported, never re-booked). */
  @Property({ type: 'datetime', nullable: true })
  upstreamChangedAt?: Date | null = null;

  /** The posting's journal entry, once posted. */
  @Property({ type: 'string', length: 36, nullable: true })
  entryId?: string | null = null;

  /** 1 for the first posting; +1 each time a reversed invoice is posted again. */
  @Property({ type: 'integer' })
  revision: number = 1;

  @Property({ type: 'datetime', nullable: true })
  postedAt?: Date | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  flagList(): string[] {
    return JSON.parse(this.flags) as string[];
  }

  problemList(): string[] {
    return JSON.parse(this.problems) as string[];
  }
}
