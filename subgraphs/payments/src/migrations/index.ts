import { Payments0001 } from './0001-payments.js';
import { Payments0101Clover } from './0101-clover.js';
import { Payments0201WexVirtualCards } from './0201-wex-virtual-cards.js';
import { Payments0301CloverWebhooks } from './0301-clover-webhooks.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [
  { name: 'payments-0001-payments', class: Payments0001 },
  { name: 'payments-0101-clover', class: Payments0101Clover },
  { name: 'payments-0201-wex-virtual-cards', class: Payments0201WexVirtualCards },
  { name: 'payments-0301-clover-webhooks', class: Payments0301CloverWebhooks },
];
