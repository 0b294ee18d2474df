import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * What a journal entry books: an invoice, a payment or refund, a credit note, a parked payment
 * applied to its invoice, or the reversal of an earlier entry.
 */
export type EntrySourceType = 'invoice' | 'payment' | 'refund' | 'credit_note' | 'suspense_application' | 'reversal';
export const ENTRY_SOURCE_TYPES: readonly EntrySourceType[] = ['invoice', 'payment', 'refund', 'credit_note', 'suspense_application', 'reversal'];

/**
 * A posted journal entry: balanced, immutable (no code path updates or deletes one; corrections
 * are reversals), and unique per source: (source type, source id, revision). The revision only
 * grows when an invoice is re-posted after its entry was reversed.
 */
@Entity({ tableName: 'billing_journal_entry' })
@Unique({ name: 'billing_journal_entry_source_type_source_id_revision_unique', properties: ['sourceType', 'sourceId', 'revision'] })
@Index({ name: 'billing_journal_entry_ledger_invoice_id_index', properties: ['ledgerInvoiceId'] })
@Index({ name: 'billing_journal_entry_ledger_payment_id_index', properties: ['ledgerPaymentId'] })
@Index({ name: 'billing_journal_entry_customer_email_index', properties: ['customerEmail'] })
@Index({ name: 'billing_journal_entry_posted_at_index', properties: ['postedAt'] })
export class JournalEntry {
  [OptionalProps]?: 'revision' | 'customerEmail' | 'ledgerInvoiceId' | 'ledgerPaymentId' | 'reversesEntryId' | 'postedBy';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  /** Human-readable, gap-free: `JE-000123`. */
  @Property({ type: 'string', length: 30, unique: 'billing_journal_entry_number_unique' })
  number!: string;

  @Property({ type: 'string', length: 30 })
  sourceType!: EntrySourceType;

  /** The source's own key: `<service>/<external invoice id>`, a payment id, an entry id (reversals). */
  @Property({ type: 'string', length: 300 })
  sourceId!: string;

  @Property({ type: 'integer' })
  revision: number = 1;

  @Property({ type: 'string', length: 300 })
  description!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** The accounting date (the invoice's date, the payment's time). */
  @Property({ type: 'datetime' })
  effectiveAt!: Date;

  @Property({ type: 'datetime' })
  postedAt!: Date;

  /** Who posted it: a person's id, or `system` for event handlers and schedules. */
  @Property({ type: 'string', length: 200 })
  postedBy: string = 'system';

  @Property({ type: 'string', length: 254, nullable: true })
  customerEmail?: string | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  ledgerInvoiceId?: string | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  ledgerPaymentId?: string | null = null;

  @Property({ type: 'string', length: 36, nullable: true, unique: 'billing_journal_entry_reverses_entry_id_unique' })
  reversesEntryId?: string | null = null;
}
