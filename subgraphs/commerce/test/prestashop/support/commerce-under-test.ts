import {
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  signIdentity,
  type EventBus,
  type EventEnvelope,
  type ServiceRuntime,
  type SubgraphService,
} from '@switchboard/kit';
import { commerce } from '../../../src/service.js';
import { TestInfrastructure } from '../../support/infrastructure.js';

export type { BusKind, DbKind } from '../../support/infrastructure.js';

export const WEBHOOK_SECRET = 'test-prestashop-webhook-secret';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const quietLogger = createLogger({ name: 'commerce-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Real infrastructure for a PrestaShop test file: PostgreSQL, nats-server and SQLite files, started on demand. */
export class Infrastructure extends TestInfrastructure {
  constructor() {
    super('commerce', quietLogger);
  }
}

export interface CommerceUnderTest {
  service: SubgraphService<ServiceRuntime>;
  runtime: ServiceRuntime;
  url: string;
  /** POST /prestashop/webhook with the right secret unless headers say otherwise. */
  webhook(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  graphql(query: string, variables?: Record<string, unknown>, roles?: string[]): Promise<{ status: number; body: any }>;
  /** Rows of a raw SQL query (portable SQL only). */
  sql<T = any>(query: string): Promise<T[]>;
  count(table: string, where?: string): Promise<number>;
  /** Outbox events of a type, in order, parsed. */
  outbox<T = any>(type: string): Promise<EventEnvelope<T>[]>;
  /** Resolves once no PrestaShop event is pending. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startCommerce(options: { databaseUrl: string; bus: EventBus; env?: Record<string, string> }): Promise<CommerceUnderTest> {
  const service = (await createSubgraphService(commerce, {
    bus: options.bus,
    logger: quietLogger,
    env: {
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      DATABASE_URL: options.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PRESTASHOP_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...options.env,
    },
  })) as unknown as SubgraphService<ServiceRuntime>;
  await service.start();
  const url = service.url();
  const runtime = service.deps;
  const sql = async <T>(query: string): Promise<T[]> => (await runtime.db.em().getConnection().execute(query)) as T[];
  return {
    service,
    runtime,
    url,
    async webhook(body, headers = {}) {
      const response = await fetch(`${url}/prestashop/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-secret': WEBHOOK_SECRET, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: response.status, body: parsed };
    },
    async graphql(query, variables = {}, roles = ['ops']) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ sub: 'tester', roles, via: 'jwt' }, SIGNING_SECRET) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
    sql,
    async count(table, where) {
      const rows = await sql<{ n: number | string }>(`select count(*) as n from ${table}${where ? ` where ${where}` : ''}`);
      return Number(rows[0]!.n);
    },
    async outbox<T>(type: string) {
      const rows = await sql<{ envelope: string }>(`select envelope from outbox_event where type = '${type}' order by created_at, id`);
      return rows.map((row) => JSON.parse(row.envelope) as EventEnvelope<T>);
    },
    async settled(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pending = Number((await sql<{ n: number }>("select count(*) as n from prestashop_event where status = 'pending'"))[0]!.n);
        if (pending === 0) return;
        if (Date.now() > deadline) throw new Error(`${pending} PrestaShop events still pending after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stop: () => service.stop(),
  };
}
