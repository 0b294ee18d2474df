import 'reflect-metadata';

export * from './config/load-config.js';
export * from './log/logger.js';
export * from './security/hmac.js';
export * from './security/identity.js';
export * from './service/metrics.js';
export * from './service/health.js';
export * from './service/lifecycle.js';
