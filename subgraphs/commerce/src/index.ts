export { commerce } from './service.js';
export { seedCommerceDemo, DEMO_CUSTOMERS } from './demo.js';
export { Customer } from './customers/customer.js';
