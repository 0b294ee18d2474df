import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  InProcessEventBus,
  NatsEventBus,
  REDACTED_PATHS,
  signIdentity,
  type EventBus,
  type EventEnvelope,
  type Logger,
  type SubgraphService,
} from '@switchboard/kit';
import {
  startCloverEmulator,
  startNats,
  startPostgres,
  type CloverEmulator,
  type CloverDevice,
  type CloverEmulatorOptions,
  type CloverMerchant,
  type NatsServerHandle,
  type PostgresHandle,
} from '@switchboard/testkit';
import { pino } from 'pino';
import { CloverConnection } from '../../src/clover/index.js';
import { payments, type PaymentsDeps } from '../../src/service.js';

export type DbKind = 'sqlite' | 'postgres';
export const SIGNING_SECRET = 'clover-test-signing-secret-0123456789';
export const CALLBACK_URL = 'https://payments.example.test/payment/clover/oauth/callback';
export const STATE_SECRET = 'clover-test-dispatcher-secret-0123456789';

/** Every log line the services under test wrote (to prove card data never reaches a log). */
export const logLines: string[] = [];
const captured = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(chunk.toString());
    done();
  },
});

function testLogger(): Logger {
  return pino({ level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, captured);
}

export interface GraphqlResult {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
}

export interface CloverTestService {
  service: SubgraphService<PaymentsDeps>;
  graphql(query: string, variables?: Record<string, unknown>, roles?: string[]): Promise<GraphqlResult>;
}

/** `service` with a GraphQL client that signs its calls as a Clover tester with `defaultRoles`. */
export function graphqlClient(service: SubgraphService<PaymentsDeps>, defaultRoles: string[]): CloverTestService {
  return {
    service,
    graphql: async (query, variables = {}, roles = defaultRoles) => {
      const response = await service.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ sub: 'clover-tester', roles, via: 'jwt' }, SIGNING_SECRET) },
        payload: { query, variables },
      });
      return { status: response.statusCode, body: response.json() };
    },
  };
}

/** Replaces both OAuth tokens of connection `id` with garbage, sealed as real ones would be: the next call cannot authenticate. */
export async function corruptTokens(client: CloverTestService, id: string): Promise<void> {
  const secrets = client.service.deps.clover.secrets;
  await client.service.deps.db.em().nativeUpdate(
    CloverConnection,
    { id },
    {
      accessTokenSealed: secrets.seal(id, 'access_token', 'corrupt-access-token'),
      refreshTokenSealed: secrets.seal(id, 'refresh_token', 'corrupt-refresh-token'),
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
    },
  );
}

/**
 * Real infrastructure for a Clover test file: the Clover emulator, a real NATS (or the in-process
 * bus), SQLite files and/or a PostgreSQL cluster, and payments services wired to the emulator.
 */
export class CloverTestEnvironment {
  emulator!: CloverEmulator;
  bus!: EventBus;
  private nats?: NatsServerHandle;
  private postgres?: PostgresHandle;
  private readonly dir = mkdtempSync(join(tmpdir(), 'switchboard-clover-'));
  private readonly services: SubgraphService<PaymentsDeps>[] = [];
  private counter = 0;
  readonly encryptionKey = randomBytes(32).toString('base64');
  /** Events published on `payments.>` since start. */
  readonly events: EventEnvelope<any>[] = [];

  constructor(private readonly options: { bus?: 'nats' | 'in-process'; emulator?: CloverEmulatorOptions } = {}) {}

  async start(): Promise<this> {
    this.emulator = await startCloverEmulator(this.options.emulator);
    if ((this.options.bus ?? 'nats') === 'nats') {
      this.nats = await startNats();
      this.bus = await NatsEventBus.connect({ servers: this.nats.url, name: 'clover-test', logger: createLogger({ name: 'bus', level: 'silent' }) });
    } else {
      this.bus = new InProcessEventBus();
    }
    await this.bus.subscribe({ durable: `clover-test-observer-${randomBytes(4).toString('hex')}`, subjects: ['payments.>'] }, async (delivery) => {
      this.events.push(delivery.event);
      delivery.ack();
    });
    return this;
  }

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `payments-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase('clover');
  }

  env(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
    const urls = this.emulator.urls;
    return {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      CLOVER_SANDBOX_OAUTH_URL: urls.ui,
      CLOVER_SANDBOX_API_URL: urls.api,
      CLOVER_SANDBOX_ECOMMERCE_URL: urls.ecommerce,
      CLOVER_SANDBOX_TOKEN_URL: urls.token,
      CLOVER_TOKEN_ENCRYPTION_KEY: this.encryptionKey,
      CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'test1',
      CLOVER_DISPATCHER_SECRET: STATE_SECRET,
      CLOVER_OAUTH_CALLBACK_URL: CALLBACK_URL,
      CLOVER_HTTP_TIMEOUT_MS: '3000',
      CLOVER_TERMINAL_TIMEOUT_MS: '5000',
      // Tests drive the reconciler by hand.
      CLOVER_RECONCILE_INTERVAL_MS: '3600000',
      ...extra,
    };
  }

  /** A payments service on `databaseUrl`, started and wired to the emulator. */
  async service(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<CloverTestService> {
    const service = await createSubgraphService(payments, { bus: this.bus, logger: testLogger(), env: this.env(databaseUrl, extraEnv) });
    await service.start();
    this.services.push(service);
    return graphqlClient(service, ['ops', 'finance']);
  }

  eventsFor(paymentId: string): EventEnvelope<any>[] {
    return this.events.filter((event) => event.subject === paymentId);
  }

  async stop(): Promise<void> {
    for (const service of this.services.splice(0).reverse()) await service.stop().catch(() => undefined);
    await this.bus?.close().catch(() => undefined);
    await this.nats?.stop();
    await this.postgres?.stop();
    await this.emulator?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const CONNECTION_FIELDS = `id label environment merchantId merchantName status oauthConnected accessTokenExpiresAt hasRestApiToken hasEcommercePrivateKey currency lastError surcharge { percent fixedAmount { amount currency } enabled }`;
export const PAYMENT_FIELDS = `id kind provider status amount { amount currency } baseAmount { amount } surchargeAmount { amount } refundedAmount { amount } refundableAmount { amount } invoiceId orderId customerEmail providerPaymentId parentPaymentId cardBrand cardLast4 method failureCode failureMessage refundDeadline`;

/** Creates a sandbox connection for the emulator's app (not authorized yet). */
export async function createConnection(client: CloverTestService, emulator: CloverEmulator, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await client.graphql(
    `mutation($input: CreateCloverConnectionInput!) { createCloverConnection(input: $input) { ${CONNECTION_FIELDS} } }`,
    { input: { label: 'Front desk', environment: 'sandbox', appId: emulator.app.id, appSecret: emulator.app.secret, remoteAppId: emulator.app.raid, ...extra } },
  );
  if (result.body.errors) throw new Error(JSON.stringify(result.body.errors));
  return result.body.data.createCloverConnection.id as string;
}

/**
 * The whole OAuth v2 handshake as a merchant goes through it: the connect URL (UI host), the
 * merchant's consent (the emulator redirects with a code), then the callback's code exchange.
 */
export async function authorize(client: CloverTestService, connectionId: string): Promise<void> {
  const link = await client.graphql(`mutation($id: ID!) { cloverConnectUrl(connectionId: $id) { url state expiresAt } }`, { id: connectionId });
  if (link.body.errors) throw new Error(JSON.stringify(link.body.errors));
  const consent = await fetch(link.body.data.cloverConnectUrl.url, { redirect: 'manual' });
  const location = new URL(consent.headers.get('location')!);
  await client.service.deps.clover.oauth.completeAuthorization({
    state: location.searchParams.get('state') ?? undefined,
    code: location.searchParams.get('code') ?? undefined,
    merchantId: location.searchParams.get('merchant_id') ?? undefined,
  });
}

export interface Connected {
  id: string;
  merchant: CloverMerchant;
  device: CloverDevice;
}

let merchantCounter = 0;

/** A new emulated merchant with one device, connected and authorized through OAuth. */
export async function connected(client: CloverTestService, emulator: CloverEmulator, extra: Record<string, unknown> = {}): Promise<Connected> {
  const merchant = emulator.control.createMerchant({ name: `Test Merchant ${++merchantCounter}` });
  const device = emulator.control.addDevice(merchant.id, { name: 'Counter 1' });
  emulator.control.loginAs(merchant.id);
  const id = await createConnection(client, emulator, extra);
  await authorize(client, id);
  return { id, merchant, device };
}

let keyCounter = 0;
export const key = (label = 'k') => `${label}-${Date.now()}-${++keyCounter}`;

export const COLLECT = `mutation($input: CollectPaymentInput!) { collectPayment(input: $input) { ${PAYMENT_FIELDS} } }`;
export const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { ${PAYMENT_FIELDS} } }`;

/** Cards of the seed's test tables. */
export const CARDS = {
  visa: { number: '4242424242424242', expMonth: '12', expYear: String(new Date().getUTCFullYear() + 3), cvv: '123' },
  visaDecline: { number: '4264281511117771', expMonth: '12', expYear: String(new Date().getUTCFullYear() + 3), cvv: '123' },
  mcDecline: { number: '5424180273333333', expMonth: '12', expYear: String(new Date().getUTCFullYear() + 3), cvv: '123' },
  badLuhn: { number: '4242424242424241', expMonth: '12', expYear: String(new Date().getUTCFullYear() + 3), cvv: '123' },
};

/** A fresh valid Visa number (velocity limits are per card). */
export function freshVisa(): string {
  const body = `4${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`;
  for (let check = 0; check < 10; check++) {
    const candidate = `${body}${check}`;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let digit = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}
