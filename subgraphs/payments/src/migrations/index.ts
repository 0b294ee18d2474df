import { Payments0001 } from './0001-payments.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [{ name: 'payments-0001-payments', class: Payments0001 }];
