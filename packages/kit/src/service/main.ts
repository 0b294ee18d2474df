import { ConfigError } from '../config/load-config.js';
import { createLogger } from '../log/logger.js';
import { runUntilSignal } from './lifecycle.js';
import { createSubgraphService, type SubgraphDefinition } from './subgraph.js';

/** Production entry point of one subgraph: configuration errors exit 1 with the variable named. */
export async function runSubgraphMain(definition: SubgraphDefinition<any>): Promise<void> {
  const logger = createLogger({ name: definition.name, level: process.env.LOG_LEVEL || 'info' });
  try {
    const service = await createSubgraphService(definition, { logger });
    await runUntilSignal([service], logger, { timeoutMs: service.deps.config.SHUTDOWN_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
    }
    process.exit(1);
  }
}
