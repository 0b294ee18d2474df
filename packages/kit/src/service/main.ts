import { ConfigError } from '../config/load-config.js';
import { createLogger } from '../log/logger.js';
import { runUntilSignal } from './lifecycle.js';
import { initTracing, shutdownTracing } from '../observability/tracing.js';
import { createSubgraphService, type SubgraphDefinition } from './subgraph.js';

/** Production entry point of one subgraph: configuration errors exit 1 with the variable named. */
export async function runSubgraphMain(definition: SubgraphDefinition<any>): Promise<void> {
  const logger = createLogger({ name: definition.name, level: process.env.LOG_LEVEL || 'info' });
  try {
    initTracing({ serviceName: definition.name });
    const service = await createSubgraphService(definition, { logger });
    const tracing = { name: 'tracing', start: async () => {}, stop: shutdownTracing };
    await runUntilSignal([tracing, service], logger, { timeoutMs: service.deps.config.SHUTDOWN_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
    }
    process.exit(1);
  }
}
