import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceEnv } from '../config/load-config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import type { ConsumerRunner } from '../events/consumer-runner.js';
import type { Deliveries } from '../deliveries/deliveries.js';
import type { OutboundHttp } from '../http/outbound-client.js';
import type { Domain } from '../events/envelope.js';
import { outboxEmitter, type EventEmitter, type OutboxRelay } from '../events/outbox.js';

/** What every subgraph's domain code gets from the kit: storage, bus, outbox, logs, metrics. */
export interface ServiceRuntime {
  service: string;
  domain: Domain;
  config: ServiceEnv;
  env: Record<string, string | undefined>;
  db: Database;
  bus: EventBus;
  relay: OutboxRelay;
  consumers: ConsumerRunner;
  /** Outbound HTTP with the SSRF guard (`OUTBOUND_ALLOW_PRIVATE_NETWORKS`). */
  http: OutboundHttp;
  /** Outbound deliveries with retries, ACKs and an attempt log; register kinds in `createDeps`. */
  deliveries: Deliveries;
  logger: Logger;
  metrics: Registry;
  /**
   * Run `work` in one database transaction; events it emits are written to the outbox in the
   * same transaction and published right after the commit.
   */
  transaction<T>(work: (tx: { em: EntityManager; events: EventEmitter }) => Promise<T>): Promise<T>;
}

export function transactionRunner(
  service: string,
  db: Database,
  relay: OutboxRelay,
): ServiceRuntime['transaction'] {
  return async (work) => {
    const result = await db.em().transactional((em) => work({ em, events: outboxEmitter(em, service) }));
    relay.notify();
    return result;
  };
}
