import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { Agent } from 'undici';
import { createLogger, createMetricsRegistry, healthPlugin, metricsPlugin, type Logger, type Runnable, tracingPlugin } from '@switchboard/kit/edge';
import { createAuthenticator } from './auth/authenticate.js';
import { subgraphBaseUrlOverrides, type GatewayConfig } from './config.js';
import { devLoginRoute } from './console/dev-login.js';
import { consoleStatic } from './console/static.js';
import { gatewayContext, graphqlRoute, type ApolloRouteHandler } from './graphql-route.js';
import { queryLimitRules } from './limits.js';
import { createGatewayMetrics } from './metrics.js';
import { IdentitySigner, SubgraphDataSource, type GatewayContext } from './subgraph-data-source.js';
import { restUpstreams, subgraphEndpoint } from './supergraph/routing-urls.js';
import { readSupergraphFile, supergraphFromFile } from './supergraph/watch.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Defaults to a fresh registry, so several gateways can live in one process (tests). */
  registry?: Registry;
  /** How often the supergraph file is polled for changes (default 500 ms). */
  supergraphPollIntervalMs?: number;
}

export interface Gateway extends Runnable {
  readonly name: 'gateway';
  readonly app: FastifyInstance;
  /** Base URL of the listening server, e.g. `http://127.0.0.1:4000`. */
  url(): string;
}

/**
 * One access-log line per request. Fastify writes two, on arrival and on completion, and the two
 * writes were a measurable share of the gateway's CPU time per request; the completion line here
 * carries what both did (method, URL, caller, status, time, request id).
 */
class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  const registry = options.registry ?? createMetricsRegistry('gateway');
  const overrides = subgraphBaseUrlOverrides(config);
  // One keep-alive pool for all subgraph calls; below Fastify's 72 s server keep-alive so the
  // gateway never reuses a socket the subgraph is about to close.
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  const identitySigner = new IdentitySigner(config.GATEWAY_SIGNING_SECRET);

  const metrics = createGatewayMetrics(registry);

  const apolloLogger = logger.child({ component: 'apollo' });
  const apolloGateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile({
      path: config.SUPERGRAPH_PATH,
      logger,
      intervalMs: options.supergraphPollIntervalMs,
      onReload: (outcome) => metrics.supergraphReloads.inc({ outcome }),
    }),
    // Validate even in production: the file can be edited by hand in a ConfigMap.
    validateSupergraph: true,
    logger: apolloLogger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: subgraphEndpoint(name, url, overrides),
        identitySigner,
        timeoutMs: config.GATEWAY_SUBGRAPH_TIMEOUT_MS,
        dispatcher,
      }),
  });

  const app = Fastify({
    loggerInstance: logger,
    logController: new OneLineRequestLog(),
    bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      // Reuse a caller's id only if it is safe to put in logs and headers.
      return typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    },
  }) as unknown as FastifyInstance;

  const apollo = new ApolloServer<GatewayContext>({
    gateway: apolloGateway,
    logger: apolloLogger,
    introspection: true,
    includeStacktraceInErrorResponses: config.NODE_ENV === 'development',
    // runUntilSignal owns SIGTERM; Apollo's own handler would stop in parallel and re-send the signal.
    stopOnTerminationSignals: false,
    validationRules: queryLimitRules({
      maxDepth: config.GATEWAY_MAX_DEPTH,
      maxAliases: config.GATEWAY_MAX_ALIASES,
      maxCost: config.GATEWAY_MAX_COST,
    }),
    plugins: [
      fastifyApolloDrainPlugin(app),
      ...(config.NODE_ENV === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });

  let apolloHandler: ApolloRouteHandler | undefined;
  let apolloStarted = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  void app.register(tracingPlugin);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While stopping, close kept-alive connections after their response so close() can finish.
    if (stopping) reply.header('connection', 'close');
  });
  void app.register(healthPlugin, {
    checks: { supergraph: async () => (apolloHandler ? true : 'supergraph not loaded') },
    isShuttingDown: () => stopping,
  });
  void app.register(metricsPlugin, { registry });
  void app.register(graphqlRoute, {
    authenticate: createAuthenticator(config),
    apolloHandler: () => apolloHandler,
    landingPage: config.NODE_ENV !== 'production',
    onAuthFailure: (reason) => metrics.authFailures.inc({ reason }),
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
  });
  // The ops console (static files under /console) and its demo-mode sign-in.
  void app.register(consoleStatic, { dir: config.GATEWAY_CONSOLE_DIR });
  void app.register(devLoginRoute, {
    enabled: config.GATEWAY_DEV_LOGIN,
    secret: config.JWT_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.GATEWAY_DEV_LOGIN_TTL_SECONDS,
  });

  return {
    name: 'gateway',
    app,
    async start() {
      if (apolloStarted) return;
      // Read once up front so a missing file fails with a message naming SUPERGRAPH_PATH.
      const supergraphSdl = readSupergraphFile(config.SUPERGRAPH_PATH);
      try {
        await apollo.start();
      } catch (error) {
        throw new Error(
          `invalid supergraph ${config.SUPERGRAPH_PATH} (SUPERGRAPH_PATH): ${(error as Error).message}`,
          { cause: error },
        );
      }
      apolloStarted = true;
      apolloHandler = fastifyApolloHandler(apollo, {
        context: async (request) => gatewayContext(request),
      }) as unknown as ApolloRouteHandler;
      if (config.GATEWAY_REST_PROXY) {
        // Loaded only when enabled (the deployment routes REST at the Ingress): the proxy and its
        // dependencies would otherwise sit in memory unused.
        const { registerRestProxy } = await import('./rest-proxy.js');
        const prefixes = await registerRestProxy(app, {
          baseUrls: restUpstreams(supergraphSdl, overrides),
          timeoutMs: config.GATEWAY_SUBGRAPH_TIMEOUT_MS,
        });
        logger.info({ prefixes }, 'REST adapters proxied through the gateway');
      }
      await app.listen({ port: config.PORT, host: config.HOST });
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        // Apollo's drain plugin closes Fastify (in-flight requests finish) before the gateway stops.
        if (apolloStarted) await apollo.stop();
        await app.close();
        await dispatcher.close();
      })();
      return stopped;
    },
    url() {
      const address = app.server.address() as AddressInfo | null;
      if (!address) throw new Error('gateway is not listening');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    },
  };
}
