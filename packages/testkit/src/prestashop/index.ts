export * from './php-json.js';
export * from './module-event.js';
export * from './shop.js';
export * from './sender.js';
export * from './seed-example.js';
