export { payments } from './service.js';
export { seedPaymentsDemo } from './demo.js';
export { Payment } from './payments/payment.js';
