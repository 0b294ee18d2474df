import { BillingAccounts0001 } from './0001-billing-accounts.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [{ name: 'billing-0001-accounts', class: BillingAccounts0001 }];
