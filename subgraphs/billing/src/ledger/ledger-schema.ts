import { ImportResolver } from '../importer/import-graphql.js';
import { PaymentMatchResolver, ReconciliationItemResolver, ReconciliationRunResolver } from '../reconciliation/reconciliation-graphql.js';
import { CustomerLedgerResolver, InvoiceLedgerResolver, LedgerPaymentRef, PaymentLedgerResolver, ledgerReferenceResolvers } from './ledger-federation.js';
import { LedgerAccountResolver, LedgerEntryResolver, LedgerInvoiceResolver, LedgerPaymentResolver } from './ledger-graphql.js';

/** GraphQL of the ledger, importer and reconciliation areas (service.ts spreads these into its schema). */
export const LEDGER_RESOLVERS: Function[] = [
  LedgerAccountResolver, LedgerEntryResolver, LedgerInvoiceResolver, LedgerPaymentResolver,
  InvoiceLedgerResolver, CustomerLedgerResolver, PaymentLedgerResolver,
  ImportResolver, ReconciliationRunResolver, ReconciliationItemResolver, PaymentMatchResolver,
];

export const LEDGER_ORPHANED_TYPES: Function[] = [LedgerPaymentRef];

export { ledgerReferenceResolvers };
