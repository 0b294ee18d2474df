import { Counter, type Registry } from 'prom-client';

/** Gateway-specific counters, next to kit's request-duration histogram in the same registry. */
export function createGatewayMetrics(registry: Registry) {
  return {
    authFailures: new Counter({
      name: 'gateway_auth_failures_total',
      help: 'GraphQL requests refused for missing or bad credentials',
      labelNames: ['reason'],
      registers: [registry],
    }),
    supergraphReloads: new Counter({
      name: 'gateway_supergraph_reloads_total',
      help: 'Supergraph file changes, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
