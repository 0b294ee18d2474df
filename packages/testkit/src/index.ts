export * from './ports.js';
export * from './cleanup.js';
export * from './nats.js';
export * from './postgres.js';
