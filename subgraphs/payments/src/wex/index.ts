export { createWexDeps, wexEntities, wexResolvers, wexRoutes, wexWorkers, type WexDeps } from './module.js';
