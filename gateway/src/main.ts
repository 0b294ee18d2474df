import { ConfigError, createLogger, initTracing, runUntilSignal, shutdownTracing } from '@switchboard/kit/edge';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

let config: GatewayConfig;
try {
  config = loadGatewayConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
initTracing({ serviceName: 'gateway' });
const gateway = createGateway(config, { logger });
const tracing = { name: 'tracing', start: async () => {}, stop: shutdownTracing };
try {
  await runUntilSignal([tracing, gateway], logger, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onStarted: () => logger.info({ url: gateway.url() }, 'gateway listening'),
  });
} catch (error) {
  logger.fatal({ err: error }, 'gateway failed to start');
  await gateway.stop().catch(() => undefined);
  process.exit(1);
}
