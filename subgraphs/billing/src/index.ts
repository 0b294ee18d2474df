export { billing } from './service.js';
export { BillingAccount } from './accounts/billing-account.js';
