import { Customers0001 } from './0001-customers.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [{ name: 'commerce-0001-customers', class: Customers0001 }];
