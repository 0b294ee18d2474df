import type { ServiceRuntime } from '@switchboard/kit';
import { loadPrestashopConfig, type PrestashopConfig } from './config.js';
import { EventProcessor } from './event-processor.js';
import { BatchIntake } from './intake-store.js';

/** What the PrestaShop intake needs beyond the kit's runtime. */
export interface PrestashopDeps {
  runtime: ServiceRuntime;
  config: PrestashopConfig;
  processor: EventProcessor;
  /** Stores checked batches (group commit: one transaction for the batches arriving together). */
  intake: BatchIntake;
}

const built = new WeakMap<object, PrestashopDeps>();

/**
 * The intake's dependencies for a service runtime, built once. Keyed by the runtime object the
 * service hands to handlers, routes, workers and resolvers alike, so the commerce service needs
 * no shared `createDeps` (other areas of the subgraph keep theirs). The first call happens while
 * the service is assembled, so a bad PRESTASHOP_* variable stops it at start naming the variable.
 */
export function prestashopDeps(runtime: ServiceRuntime): PrestashopDeps {
  let deps = built.get(runtime);
  if (!deps) {
    const config = loadPrestashopConfig(runtime.env, runtime.config.NODE_ENV === 'production');
    const processor = new EventProcessor(config, { service: runtime.service, dialect: runtime.db.dialect });
    const partial: Omit<PrestashopDeps, 'intake'> & { intake?: BatchIntake } = { runtime, config, processor };
    partial.intake = new BatchIntake(partial as PrestashopDeps);
    deps = partial as PrestashopDeps;
    built.set(runtime, deps);
    if (!config.webhookSecret) {
      runtime.logger.warn('PRESTASHOP_WEBHOOK_SECRET is not set: POST /prestashop/webhook answers 503 until it is');
    }
  }
  return deps;
}
