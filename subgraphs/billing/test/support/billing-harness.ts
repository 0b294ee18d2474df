import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  InProcessEventBus,
  NatsEventBus,
  OutboxEvent,
  signIdentity,
  type EventBus,
  type EventEnvelope,
  type SubgraphService,
} from '@switchboard/kit';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import type { BillingDeps } from '../../src/deps.js';
import { billing } from '../../src/service.js';

export type DbKind = 'sqlite' | 'postgres';
export const SIGNING_SECRET = 'billing-test-signing-secret-0123456789';
export const quietLogger = createLogger({ name: 'billing-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Real infrastructure for one test file: SQLite files, a PostgreSQL, optionally a nats-server. */
export class Infrastructure {
  private postgres?: PostgresHandle;
  private nats?: NatsServerHandle;
  private readonly dir = mkdtempSync(join(tmpdir(), 'billing-test-'));
  private readonly buses: EventBus[] = [];
  private counter = 0;

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `billing-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase('billing');
  }

  async bus(kind: 'in-process' | 'nats' = 'in-process'): Promise<EventBus> {
    let bus: EventBus;
    if (kind === 'in-process') bus = new InProcessEventBus();
    else {
      this.nats ??= await startNats();
      bus = await NatsEventBus.connect({ servers: this.nats.url, name: 'billing-test', logger: quietLogger });
    }
    this.buses.push(bus);
    return bus;
  }

  async stop(): Promise<void> {
    for (const bus of this.buses.splice(0)) await bus.close().catch(() => undefined);
    await this.nats?.stop();
    await this.postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A running billing subgraph with helpers to call it as an app (REST) and as the gateway (GraphQL). */
export class BillingUnderTest {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(readonly service: SubgraphService<BillingDeps>) {}

  get deps(): BillingDeps {
    return this.service.deps;
  }

  /**
   * Calls the REST API over real HTTP. Up to 256 connections at once (kept alive): a thousand
   * concurrent calls are a thousand requests in flight, not a thousand TCP handshakes racing the
   * server's listen backlog.
   */
  async api<T = any>(method: string, path: string, options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const url = new URL(`${this.service.url()}/api/billing/v1${path}`);
    const { status, responseHeaders, text } = await new Promise<{ status: number; responseHeaders: Headers; text: string }>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
          resolve({ status: res.statusCode ?? 0, responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (HTML download) */
    }
    return { status, headers: responseHeaders, body: parsed as T };
  }

  async graphql(query: string, variables: Record<string, unknown> = {}, roles: string[] = ['admin']) {
    const response = await this.service.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ sub: 'tester', roles, via: 'jwt' }, SIGNING_SECRET) },
      payload: { query, variables },
    });
    return response.json() as { data?: any; errors?: { message: string; extensions?: any }[] };
  }

  /** GraphQL that must succeed. */
  async gql(query: string, variables: Record<string, unknown> = {}, roles: string[] = ['admin']): Promise<any> {
    const result = await this.graphql(query, variables, roles);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** Events written to the outbox (committed), oldest first. */
  async outbox(type?: string): Promise<EventEnvelope<any>[]> {
    const rows = await this.deps.db.em().find(OutboxEvent, type ? { type } : {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((row) => JSON.parse(row.envelope) as EventEnvelope<any>);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await this.service.stop();
  }
}

export async function startBilling(options: { databaseUrl: string; bus: EventBus; env?: Record<string, string> }): Promise<BillingUnderTest> {
  const service = await createSubgraphService(billing, {
    bus: options.bus,
    logger: quietLogger,
    env: {
      DATABASE_URL: options.databaseUrl,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      BILLING_RATING_INTERVAL_MS: '3600000',
      BILLING_WEBHOOK_RETRY_SCHEDULE_MS: '100,200,400',
      ...options.env,
    },
  });
  await service.start();
  return new BillingUnderTest(service);
}

export interface AppSetup {
  code: string;
  apiKey: string;
  webhookSecret: string;
}

/**
 * A NexaCloud-like app as the seed describes it: metric `cpu_seconds` (sum), plan `p-1` "Starter"
 * $20 / month or $200 / year with 18,000 CPU-seconds included and $0.0075 per core-hour above.
 */
export async function registerApp(billingUnderTest: BillingUnderTest, code: string, webhookUrl?: string): Promise<AppSetup> {
  const created = await billingUnderTest.gql(
    `mutation($input: CreateBillingServiceInput!) { createBillingService(input: $input) { apiKey webhookSecret service { code } } }`,
    { input: { code, name: `${code} app`, webhookUrl: webhookUrl ?? null } },
    ['ops'],
  );
  await billingUnderTest.gql(
    `mutation($code: String!, $input: BillingMetricInput!) { upsertBillingMetric(serviceCode: $code, input: $input) { code } }`,
    { code, input: { code: 'cpu_seconds', name: 'CPU seconds', aggregation: 'sum', unitLabel: 'CPU-seconds' } },
    ['finance'],
  );
  await billingUnderTest.gql(
    `mutation($code: String!, $input: BillingPlanInput!) { upsertBillingPlan(serviceCode: $code, input: $input) { code } }`,
    {
      code,
      input: {
        code: 'p-1',
        name: 'Starter',
        currency: 'CAD',
        priceMonthly: '20.00',
        priceYearly: '200.00',
        charges: [{ metricCode: 'cpu_seconds', name: 'NexaCloud CPU overage — Starter', chargeModel: 'standard', includedQuota: '18000', pricePerUnit: '0.0075', unitBatch: '3600' }],
      },
    },
    ['finance'],
  );
  return { code, apiKey: created.createBillingService.apiKey, webhookSecret: created.createBillingService.webhookSecret };
}

/** A webhook receiver that records every request and answers with the scripted status. */
export async function startReceiver() {
  const received: { at: number; headers: Record<string, string>; body: string }[] = [];
  let status = 204;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/billing-webhooks`,
    received,
    respondWith(next: number) {
      status = next;
    },
    ofType(type: string) {
      return received.filter((r) => JSON.parse(r.body).type === type);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
