import { createGateway, loadGatewayConfig, type Gateway } from '@switchboard/gateway';
import {
  createSubgraphService,
  type EventBus,
  type Runnable,
  type SubgraphService,
} from '@switchboard/kit';
import type { Logger } from '@switchboard/kit';
import { SUBGRAPHS } from './subgraphs.js';

export interface SystemOptions {
  bus: EventBus;
  /** DATABASE_URL for each subgraph by name. */
  databaseUrl: (service: string) => string;
  /** Listen on the default ports (4000–4004) or on free ones (tests). */
  ports: 'default' | 'ephemeral';
  env: Record<string, string | undefined>;
  logger?: (name: string) => Logger | undefined;
  /** Proxy the subgraphs' REST adapters through the gateway (one origin). */
  restProxy?: boolean;
  /** Observe each subgraph's SQL statements (tests). */
  onQuery?: (service: string, sql: string) => void;
}

export interface System extends Runnable {
  services: Record<string, SubgraphService>;
  gateway: Gateway;
  gatewayUrl(): string;
}

/**
 * The whole of Switchboard in one process: four subgraphs and the gateway, sharing one bus.
 * Used by `pnpm start` and by the end-to-end tests, so both exercise the same assembly.
 */
export async function createSystem(options: SystemOptions): Promise<System> {
  const services: Record<string, SubgraphService> = {};
  for (const definition of SUBGRAPHS) {
    services[definition.name] = await createSubgraphService(definition, {
      bus: options.bus,
      logger: options.logger?.(definition.name),
      onQuery: options.onQuery && ((sql) => options.onQuery!(definition.name, sql)),
      env: {
        ...options.env,
        DATABASE_URL: options.databaseUrl(definition.name),
        PORT: options.ports === 'default' ? String(definition.defaultPort) : '0',
        HOST: options.env.HOST ?? '127.0.0.1',
      },
    });
  }
  let gateway: Gateway | undefined;
  const started: Runnable[] = [];
  return {
    name: 'switchboard',
    services,
    get gateway() {
      if (!gateway) throw new Error('system not started');
      return gateway;
    },
    gatewayUrl: () => gateway?.url() ?? '',
    async start() {
      for (const service of Object.values(services)) {
        await service.start();
        started.push(service);
      }
      // The gateway routes to wherever the subgraphs actually listen.
      const urls = Object.fromEntries(
        Object.entries(services).map(([name, service]) => [`${name.toUpperCase()}_URL`, service.url()]),
      );
      gateway = createGateway(
        loadGatewayConfig({
          ...options.env,
          ...urls,
          PORT: options.ports === 'default' ? (options.env.PORT ?? '4000') : '0',
          HOST: options.env.HOST ?? '127.0.0.1',
          GATEWAY_REST_PROXY: options.restProxy ? 'true' : 'false',
        }),
        { logger: options.logger?.('gateway') },
      );
      await gateway.start();
      started.push(gateway);
    },
    async stop() {
      for (const runnable of started.splice(0).reverse()) await runnable.stop();
    },
  };
}
