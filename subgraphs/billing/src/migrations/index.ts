import { BillingAccounts0001 } from './0001-billing-accounts.js';
import { BillingMetering0101 } from './0101-billing-metering.js';
import { BillingLedger0201 } from './0201-billing-ledger.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [
  { name: 'billing-0001-accounts', class: BillingAccounts0001 },
  { name: 'billing-0101-metering', class: BillingMetering0101 },
  { name: 'billing-0201-ledger', class: BillingLedger0201 },
];
