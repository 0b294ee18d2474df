export { billing } from './service.js';
export { BillingAccount } from './accounts/billing-account.js';
export type { BillingDeps } from './deps.js';
export { computeBillable, type ChargeTerms, type Billable } from './rating/charge-models.js';
export { ratePeriod } from './rating/rate-period.js';
export { periodContaining, periodLabel } from './rating/periods.js';
