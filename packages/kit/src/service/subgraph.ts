import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { loadConfig, serviceEnvSchema } from '../config/load-config.js';
import { openDatabase } from '../db/database.js';
import type { MigrationClass } from '../db/migration.js';
import type { EventBus } from '../events/bus.js';
import { ConsumerRunner, type EventHandler } from '../events/consumer-runner.js';
import type { Domain } from '../events/envelope.js';
import { EVENT_ENTITIES } from '../events/entities.js';
import { InProcessEventBus } from '../events/in-process-bus.js';
import { KIT_MIGRATIONS } from '../events/migrations.js';
import { NatsEventBus } from '../events/nats-bus.js';
import { OutboxRelay } from '../events/outbox.js';
import { loaderCache, type GraphQLContext } from '../graphql/context.js';
import { deadLetterResolver } from '../graphql/dead-letters.js';
import { Deliveries } from '../deliveries/deliveries.js';
import { deliveryResolver } from '../deliveries/graphql.js';
import { OutboundHttp } from '../http/outbound-client.js';
import { buildFederatedSchema, type FederatedSchemaOptions } from '../graphql/federation.js';
import { createLogger } from '../log/logger.js';
import { IDENTITY_HEADER, verifyIdentity } from '../security/identity.js';
import { healthPlugin } from './health.js';
import { tracingPlugin } from '../observability/tracing-plugin.js';
import type { Runnable } from './lifecycle.js';
import { createMetricsRegistry, metricsPlugin } from './metrics.js';
import { transactionRunner, type ServiceRuntime } from './runtime.js';

/** Everything that makes one subgraph; `service.ts` of each subgraph exports one of these. */
export interface SubgraphDefinition<Deps extends ServiceRuntime = ServiceRuntime> {
  name: string;
  domain: Domain;
  defaultPort: number;
  entities: Function[];
  migrations: { name: string; class: MigrationClass }[];
  /** The subgraph's own resolvers; the kit adds dead-letter and delivery fields itself. */
  schema: Omit<FederatedSchemaOptions, 'resolvers'> & { resolvers: Function[] };
  /** Domain dependencies (clients, repositories) built on top of the kit's runtime. */
  createDeps?: (runtime: ServiceRuntime) => Promise<Deps> | Deps;
  handlers?: (deps: Deps) => EventHandler[];
  /** REST adapters and other routes of this service. */
  routes?: FastifyPluginAsync<{ deps: Deps }>;
  /** Background work started after the server listens (schedulers, workers). */
  workers?: (deps: Deps) => Runnable[];
}

export interface SubgraphRuntimeOptions {
  env?: Record<string, string | undefined>;
  /** A shared bus (the launcher's or a test's); otherwise built from NATS_URL. Not closed by us. */
  bus?: EventBus;
  logger?: Logger;
  /** Observe every SQL statement (tests). */
  onQuery?: (sql: string) => void;
}

export interface SubgraphService<Deps extends ServiceRuntime = ServiceRuntime> extends Runnable {
  app: FastifyInstance;
  deps: Deps;
  /** Base URL once listening, e.g. http://127.0.0.1:4002 */
  url(): string;
}

const schemas = new WeakMap<SubgraphDefinition<any>, Promise<GraphQLSchema>>();

/** The subgraph's federated schema (built once per definition; no database or server needed). */
export function subgraphSchema(definition: SubgraphDefinition<any>): Promise<GraphQLSchema> {
  let schema = schemas.get(definition);
  if (!schema) {
    schema = buildFederatedSchema({
      ...definition.schema,
      resolvers: [deadLetterResolver(definition.name), deliveryResolver(definition.name), ...definition.schema.resolvers],
    });
    schemas.set(definition, schema);
  }
  return schema;
}

export async function createSubgraphService<Deps extends ServiceRuntime>(
  definition: SubgraphDefinition<Deps>,
  options: SubgraphRuntimeOptions = {},
): Promise<SubgraphService<Deps>> {
  const env = options.env ?? process.env;
  const config = loadConfig(
    serviceEnvSchema({ port: definition.defaultPort, database: `sqlite:./data/${definition.name}.sqlite` }),
    env,
  );
  const logger = options.logger ?? createLogger({ name: definition.name, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(definition.name);

  const db = await openDatabase({
    url: config.DATABASE_URL,
    entities: [...EVENT_ENTITIES, ...definition.entities],
    migrations: [...KIT_MIGRATIONS, ...definition.migrations],
    logger,
    onQuery: options.onQuery,
  });
  let ownsBus = false;
  let bus = options.bus;
  if (!bus) {
    if (config.NATS_URL) {
      bus = await NatsEventBus.connect({ servers: config.NATS_URL, name: definition.name, logger, replicas: config.NATS_STREAM_REPLICAS });
    } else if (config.NODE_ENV === 'production') {
      throw new Error('NATS_URL is required in production (the in-process bus only serves one process)');
    } else {
      logger.warn('NATS_URL not set: using the in-process event bus (single process only)');
      bus = new InProcessEventBus();
    }
    ownsBus = true;
  }
  const relay = new OutboxRelay(db, bus, logger);
  const consumers = new ConsumerRunner({ service: definition.name, domain: definition.domain, db, bus, relay, logger, metrics });
  const http = new OutboundHttp({
    allowPrivateNetworks: config.OUTBOUND_ALLOW_PRIVATE_NETWORKS ?? config.NODE_ENV !== 'production',
  });
  const deliveries = new Deliveries({ service: definition.name, domain: definition.domain, db, bus, relay, http, logger, metrics });
  const runtime: ServiceRuntime = {
    service: definition.name,
    domain: definition.domain,
    config,
    env,
    db,
    bus,
    relay,
    consumers,
    http,
    deliveries,
    logger,
    metrics,
    transaction: transactionRunner(definition.name, db, relay),
  };
  const deps = (definition.createDeps ? await definition.createDeps(runtime) : runtime) as Deps;
  for (const handler of definition.handlers?.(deps) ?? []) consumers.register(handler);
  const workers = [deliveries.worker(), ...(definition.workers?.(deps) ?? [])];

  let shuttingDown = false;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
  });
  // Once stopping, every response closes its connection: close() only drops the connections idle
  // at that instant, and a kept-alive one that finishes its request later would hold the server
  // open until the client's keep-alive timeout (the gateway's is 30 s), past the shutdown budget.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });
  await app.register(tracingPlugin);
  await app.register(healthPlugin, {
    checks: { database: () => db.check(), bus: () => bus.check() },
    isShuttingDown: () => shuttingDown,
  });
  await app.register(metricsPlugin, { registry: metrics });

  const apollo = new ApolloServer<GraphQLContext<Deps>>({
    schema: await subgraphSchema(definition),
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginInlineTraceDisabled()],
    introspection: true,
    includeStacktraceInErrorResponses: config.NODE_ENV !== 'production',
    // The kit owns SIGTERM (runUntilSignal → stop()). Left on, Apollo (outside NODE_ENV=test) adds
    // its own handler that stops the server in parallel and then re-sends the signal, which
    // runUntilSignal takes for a second signal and exits 1 mid-drain.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  // Only the gateway may call a subgraph: it signs the caller's identity with a shared secret.
  await app.register(async (graphql) => {
    graphql.addHook('preHandler', async (request, reply) => {
      const header = request.headers[IDENTITY_HEADER];
      const check = verifyIdentity(Array.isArray(header) ? header[0] : header, config.GATEWAY_SIGNING_SECRET);
      if (!check.ok) {
        return reply.code(401).send({ errors: [{ message: check.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
      }
      request.identity = check.identity;
    });
    graphql.route({
      url: '/graphql',
      method: ['GET', 'POST', 'OPTIONS'],
      handler: fastifyApolloHandler(apollo, {
        context: async (request) => ({
          identity: request.identity,
          requestId: request.id,
          em: db.em(),
          logger: logger.child({ reqId: request.id }),
          deps,
          loader: loaderCache(),
        }),
      }),
    });
  });
  if (definition.routes) await app.register(definition.routes, { deps });

  let address = '';
  let started = false;
  return {
    name: definition.name,
    app,
    deps,
    url: () => address,
    async start() {
      await consumers.start();
      relay.start();
      address = await app.listen({ port: config.PORT, host: config.HOST });
      address = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
      for (const worker of workers) await worker.start();
      started = true;
      logger.info({ url: address, bus: bus.kind, database: db.dialect }, `${definition.name} subgraph listening`);
    },
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const worker of [...workers].reverse()) await worker.stop();
      await app.close(); // stops accepting, waits for in-flight requests, drains Apollo
      await consumers.stop();
      await relay.stop();
      if (ownsBus) await bus.close();
      await http.close();
      await db.close();
      if (started) logger.info(`${definition.name} subgraph stopped`);
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: import('../security/identity.js').Identity;
  }
}
