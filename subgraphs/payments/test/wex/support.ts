import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  createSubgraphService,
  EVENT_ENTITIES,
  IDENTITY_HEADER,
  InProcessEventBus,
  NatsEventBus,
  openDatabase,
  signIdentity,
  type Database,
  type EventBus,
  type SubgraphService,
} from '@switchboard/kit';
import {
  startNats,
  startOdooWebhookReceiver,
  startPostgres,
  startWexEmulator,
  type NatsServerHandle,
  type OdooWebhookReceiver,
  type PostgresHandle,
  type WexEmulator,
} from '@switchboard/testkit';
import { payments, type PaymentsDeps } from '../../src/service.js';

export type BusKind = 'nats' | 'in-process';
export type DbKind = 'sqlite' | 'postgres';

export const SIGNING_SECRET = 'wex-test-signing-secret-0123456789';
export const AUTH_TOKEN = 'odoo-proxy-token-0123456789';
export const quietLogger = createLogger({ name: 'wex-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Fast delivery settings: attempts a few hundred milliseconds apart instead of seconds. */
export const FAST_DELIVERY = {
  MAX_DOWNSTREAM: '4',
  // Generous enough for an ACK to arrive in time on a loaded 2-core machine.
  ACK_TIMEOUT_SECONDS: '1',
  DOWNSTREAM_RETRY_BASE_SECONDS: '0.3',
  DOWNSTREAM_POST_TIMEOUT_SECONDS: '2',
};

/** Real NATS, real PostgreSQL, SQLite files, the WEX emulator and an Odoo webhook receiver. */
export class WexTestbed {
  nats?: NatsServerHandle;
  private postgres?: PostgresHandle;
  private readonly dir = mkdtempSync(join(tmpdir(), 'switchboard-wex-'));
  private readonly buses: EventBus[] = [];
  private readonly services: SubgraphService<PaymentsDeps>[] = [];
  private counter = 0;
  wex!: WexEmulator;
  odoo!: OdooWebhookReceiver;

  async start(): Promise<void> {
    this.wex = await startWexEmulator();
  }

  /** The Odoo webhook; it ACKs through the service's `/ack` once `payments()` has started it. */
  async odooReceiver(authToken: string = AUTH_TOKEN): Promise<OdooWebhookReceiver> {
    this.odoo = await startOdooWebhookReceiver({ authToken });
    return this.odoo;
  }

  async natsUrl(): Promise<string> {
    this.nats ??= await startNats();
    return this.nats.url;
  }

  async bus(kind: BusKind): Promise<EventBus> {
    const bus = kind === 'in-process' ? new InProcessEventBus() : await NatsEventBus.connect({ servers: await this.natsUrl(), name: 'wex-test', logger: quietLogger });
    this.buses.push(bus);
    return bus;
  }

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `payments-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase('payments');
  }

  /**
   * The payments service as production runs it, on a free port, delivering to the Odoo receiver
   * (started first), which then ACKs through this service's `/ack`.
   */
  async payments(options: { bus: EventBus; databaseUrl: string; env?: Record<string, string | undefined>; webhookUrl?: string }): Promise<SubgraphService<PaymentsDeps>> {
    const service = await createSubgraphService(payments, {
      bus: options.bus,
      logger: quietLogger,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: options.databaseUrl,
        GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
        AUTH_TOKEN,
        WEBHOOK_URL: options.webhookUrl ?? this.odoo?.url ?? 'http://127.0.0.1:9/unset',
        WEX_API_URL: this.wex.url,
        WEX_USERNAME: this.wex.username,
        WEX_PASSWORD: this.wex.password,
        WEX_TIMEOUT_SECONDS: '1',
        ...FAST_DELIVERY,
        ...options.env,
      },
    });
    await service.start();
    this.services.push(service);
    this.odoo?.setAckUrl(`${service.url()}/ack`);
    return service;
  }

  async stop(): Promise<void> {
    for (const service of this.services.splice(0).reverse()) await service.stop().catch(() => undefined);
    await this.odoo?.stop().catch(() => undefined);
    await this.wex?.stop().catch(() => undefined);
    for (const bus of this.buses.splice(0)) await bus.close().catch(() => undefined);
    await this.nats?.stop();
    await this.postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** POST JSON to a legacy route over real HTTP; returns status and parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

/** A valid Odoo request; `overrides` replace fields (undefined removes one). */
export function odooRequest(paymentId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    _id: `req-${paymentId}`,
    x_name: paymentId,
    x_studio_vendor_name: 'Acme Hauling LLC',
    x_studio_vendor_payment_amount_requested: 150.25,
    x_studio_hauler_invoice_or_remittance_advice_memo: `INV-${paymentId}`,
    x_studio_employee_name: 'Jane Doe',
    ...overrides,
  };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
  return body;
}

/** POST /graphql as the gateway would: with a signed identity. */
export async function graphql(service: SubgraphService, query: string, variables: Record<string, unknown> = {}, roles: string[] = ['ops']) {
  const response = await service.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ sub: 'tester', roles, via: 'jwt' }, SIGNING_SECRET) },
    payload: { query, variables },
  });
  return { status: response.statusCode, body: response.json() as { data?: any; errors?: { message: string; extensions?: any }[] } };
}

/** Every row of every table, as JSON text per table: what an attacker with the database would see. */
export async function rawDump(db: Database): Promise<Record<string, string[]>> {
  const connection = db.em().getConnection();
  const tables: { name: string }[] =
    db.dialect === 'sqlite'
      ? await connection.execute(`select name from sqlite_master where type = 'table'`)
      : await connection.execute(`select table_name as name from information_schema.tables where table_schema = current_schema()`);
  const dump: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows: unknown[] = await connection.execute(`select * from "${name}"`);
    dump[name] = rows.map((row) => JSON.stringify(row));
  }
  return dump;
}

/** Opens a service's database read-only-ish (no migrations) to inspect it from the test. */
export function openForInspection(url: string): Promise<Database> {
  return openDatabase({ url, entities: [...EVENT_ENTITIES, ...payments.entities], migrations: [], migrate: false });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
