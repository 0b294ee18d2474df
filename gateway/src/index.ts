export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export {
  loadGatewayConfig,
  gatewayEnvSchema,
  SUBGRAPH_NAMES,
  type GatewayConfig,
  type ApiKeyEntry,
  type SubgraphName,
} from './config.js';
export { issueDevToken } from './auth/dev-token.js';
export { GATEWAY_REST_ROUTES } from './rest-proxy.js';
export type { GatewayContext } from './subgraph-data-source.js';
