import { Customers0001 } from './0001-customers.js';
import { InventoryCatalog0201 } from './0201-inventory-catalog.js';
import { InventorySync0202 } from './0202-inventory-sync.js';
import { PrestashopIntake0101 } from './0101-prestashop-intake.js';
import { ShopCustomerAccounts0102 } from './0102-shop-customer-accounts.js';
import { ShopOrders0103 } from './0103-shop-orders.js';
import { Coupons0104 } from './0104-coupons.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [
  { name: 'commerce-0001-customers', class: Customers0001 },
  { name: 'commerce-0201-inventory-catalog', class: InventoryCatalog0201 },
  { name: 'commerce-0202-inventory-sync', class: InventorySync0202 },
  { name: 'commerce-0101-prestashop-intake', class: PrestashopIntake0101 },
  { name: 'commerce-0102-shop-customer-accounts', class: ShopCustomerAccounts0102 },
  { name: 'commerce-0103-shop-orders', class: ShopOrders0103 },
  { name: 'commerce-0104-coupons', class: Coupons0104 },
];
