/**
 * Test infrastructure and third-party emulators. Deliberately independent of @switchboard/kit:
 * an emulator that shared our code could share our bugs, and a test against it would prove less.
 */
export * from './ports.js';
export * from './cleanup.js';
export * from './nats.js';
export * from './postgres.js';
export * from './eventually.js';
export * from './clover/index.js';
export * from './odoo-vendor/index.js';
export * from './smtp/smtp-sink.js';
export * from './openai/openai-emulator.js';
export * from './wex/index.js';
export * from './odoo-webhook/index.js';
export * from './prestashop/index.js';
export * from './postgres-cluster.js';
export * from './nats-control.js';
