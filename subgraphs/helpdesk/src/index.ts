export { helpdesk } from './service.js';
export { seedHelpdeskDemo } from './demo.js';
export { Ticket } from './tickets/ticket.js';
export type { HelpdeskDeps } from './deps.js';
