import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueDevToken } from '@switchboard/gateway';
import { createLogger, InProcessEventBus, NatsEventBus, type EventBus } from '@switchboard/kit';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { createSystem, type System } from '../../scripts/lib/system.js';

export type BusKind = 'nats' | 'in-process';
export type DbKind = 'sqlite' | 'postgres';

export const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef-0123456789';
export const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';

export interface TestSystem {
  system: System;
  gatewayUrl: string;
  /** POST a GraphQL operation to the gateway as a JWT holder with `roles`. */
  graphql(query: string, variables?: Record<string, unknown>, roles?: string[]): Promise<{ status: number; body: any }>;
  token(roles: string[], options?: { ttlSeconds?: number }): Promise<string>;
  /** SQL statements per service since the last `resetQueries()`. */
  queries: Map<string, string[]>;
  resetQueries(): void;
  stop(): Promise<void>;
}

/**
 * The real system for end-to-end tests: real nats-server or the in-process bus, SQLite files or
 * fresh PostgreSQL databases, four subgraph servers and the gateway on free ports.
 */
export async function startTestSystem(options: { bus: BusKind; db: DbKind; env?: Record<string, string> }): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  let bus: EventBus;
  const logger = createLogger({ name: 'e2e', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  if (options.bus === 'nats') {
    nats = await startNats();
    bus = await NatsEventBus.connect({ servers: nats.url, name: 'e2e', logger });
  } else {
    bus = new InProcessEventBus();
  }
  const databases: Record<string, string> = {};
  for (const name of ['payments', 'commerce', 'billing', 'helpdesk']) {
    if (options.db === 'sqlite') databases[name] = `sqlite:${join(dir, `${name}.sqlite`)}`;
    else {
      postgres ??= await startPostgres();
      databases[name] = await postgres.createDatabase(name);
    }
  }
  const queries = new Map<string, string[]>();
  const system = await createSystem({
    bus,
    ports: 'ephemeral',
    env: { JWT_SECRET, GATEWAY_SIGNING_SECRET: SIGNING_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...options.env },
    databaseUrl: (name) => databases[name]!,
    logger: () => logger,
    restProxy: true,
    onQuery: (service, sql) => {
      if (!/^\[query\]/.test(sql)) return;
      const list = queries.get(service) ?? [];
      list.push(sql);
      queries.set(service, list);
    },
  });
  await system.start();
  const gatewayUrl = system.gatewayUrl();
  const token = (roles: string[], opts: { ttlSeconds?: number } = {}) =>
    issueDevToken(JWT_SECRET, { sub: 'e2e-user', email: 'e2e@example.com', roles }, opts.ttlSeconds ?? 600);

  return {
    system,
    gatewayUrl,
    queries,
    resetQueries: () => queries.clear(),
    token,
    async graphql(query, variables = {}, roles = ['admin']) {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(roles)}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      await system.stop();
      await bus.close();
      await nats?.stop();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
