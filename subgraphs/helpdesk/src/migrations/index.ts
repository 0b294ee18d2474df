import { Tickets0001 } from './0001-tickets.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [{ name: 'helpdesk-0001-tickets', class: Tickets0001 }];
