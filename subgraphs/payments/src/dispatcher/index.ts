import { CloverDispatcherResolver } from './graphql.js';
import { DISPATCHER_ENTITIES } from './routing-entities.js';

export { dispatcherModule, type DispatcherModule } from './module.js';
export { dispatcherRoutes, DISPATCHER_WEBHOOK_PATH } from './routes.js';
export { WEBHOOK_FANOUT_KIND } from './fanout-kind.js';

export { DISPATCHER_ENTITIES };
export const DISPATCHER_RESOLVERS = [CloverDispatcherResolver];
