/**
 * `@switchboard/kit/edge`: the kit without its database, bus and GraphQL-schema parts — what an
 * edge process such as the gateway needs. The main entry also loads MikroORM and its decorated
 * entities, knex, the NATS client and type-graphql, and a bundler cannot leave any of it out
 * because modules with decorators have side effects: in the gateway's production bundle that was
 * about 60 MB of resident memory for code it never runs, and over 100 MB more with
 * `--enable-source-maps` (MikroORM's decorators read a stack trace while loading, which makes Node
 * parse the whole bundle's source map). Same modules as the main entry, so classes
 * (`ConfigError` for `instanceof`) and types are the same.
 */
export { ConfigError, env, loadConfig } from './config/load-config.js';
export { createLogger, type Logger } from './log/logger.js';
export { constantTimeEqual, sha256Hex } from './security/hmac.js';
export { IDENTITY_HEADER, signIdentity, type Identity } from './security/identity.js';
export { healthPlugin } from './service/health.js';
export { runUntilSignal, type Runnable } from './service/lifecycle.js';
export { createMetricsRegistry, metricsPlugin } from './service/metrics.js';
export { tracingPlugin } from './observability/tracing-plugin.js';
export { initTracing, injectTraceHeaders, shutdownTracing } from './observability/tracing.js';
