import {
  createEvent,
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  sha256Hex,
  signIdentity,
  type EventBus,
  type ServiceRuntime,
  type SubgraphService,
} from '@switchboard/kit';
import { startOdooVendorEmulator, type OdooVendorEmulator } from '@switchboard/testkit';
import { commerce } from '../../../src/service.js';
import type { InventoryDeps } from '../../../src/inventory/module.js';
import { TestInfrastructure } from '../../support/infrastructure.js';

export type { BusKind, DbKind } from '../../support/infrastructure.js';

export const SIGNING_SECRET = 'inventory-test-signing-secret-0123456789';
export const ODOO_TOKEN = 'odoo-test-token';
export const ODOO_PARTNER = 7;
/** The bearer token REST callers present; only its SHA-256 is configured. */
export const API_TOKEN = 'inventory-rest-token-0123456789';

export const quietLogger = createLogger({ name: 'inventory-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type CommerceService = SubgraphService<ServiceRuntime & InventoryDeps>;

/** Environment of a commerce service that syncs to `emulator`. */
export function inventoryEnv(emulatorUrl: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ODOO_API_BASE_URL: emulatorUrl,
    ODOO_API_TOKEN: ODOO_TOKEN,
    ODOO_PARTNER_ID: String(ODOO_PARTNER),
    INVENTORY_API_KEYS: `tests:${sha256Hex(API_TOKEN)}`,
    ...extra,
  };
}

/** Real infrastructure for one test file: nats-server, PostgreSQL, SQLite files, the Odoo emulator. */
export class Testbed extends TestInfrastructure {
  private readonly services: CommerceService[] = [];
  emulator!: OdooVendorEmulator;

  constructor() {
    super('inventory', quietLogger);
  }

  async startEmulator(options: Parameters<typeof startOdooVendorEmulator>[0] = {}): Promise<OdooVendorEmulator> {
    this.emulator = await startOdooVendorEmulator({ tokens: { [ODOO_TOKEN]: [ODOO_PARTNER] }, ...options });
    return this.emulator;
  }

  async service(bus: EventBus, env: Record<string, string>): Promise<CommerceService> {
    const service = await createSubgraphService(commerce, { bus, logger: quietLogger, env });
    this.services.push(service);
    await service.start();
    return service;
  }

  override async stop(): Promise<void> {
    for (const service of this.services.splice(0)) await service.stop().catch(() => undefined);
    await this.emulator?.stop();
    await super.stop();
  }
}

/** POST /graphql as the gateway would, with a signed identity. */
export async function graphql(
  service: CommerceService,
  query: string,
  variables: Record<string, unknown> = {},
  roles: string[] = ['ops'],
): Promise<{ data?: any; errors?: { message: string; extensions?: any }[] }> {
  const response = await service.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      [IDENTITY_HEADER]: signIdentity({ sub: 'inventory-tester', roles, via: 'jwt' }, SIGNING_SECRET),
    },
    payload: { query, variables },
  });
  return response.json();
}

/** GraphQL that must succeed; returns `data`. */
export async function gql(service: CommerceService, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const body = await graphql(service, query, variables);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A call to the legacy REST adapter over real HTTP. */
export async function rest(
  service: CommerceService,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: any; text: string }> {
  const token = options.token === undefined ? API_TOKEN : options.token;
  const response = await fetch(`${service.url()}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    body: options.body,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

let skuCounter = 0;
/** A SKU no other test uses (the emulator and the database are shared within a file). */
export function uniqueSku(prefix = 'SKU'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++skuCounter}`;
}

/** Catalog set-up through the public GraphQL API. */
export async function createProduct(service: CommerceService, name: string, active = true): Promise<string> {
  const data = await gql(service, 'mutation($input: ProductInput!) { upsertProduct(input: $input) { id } }', { input: { name, active } });
  return data.upsertProduct.id;
}

export async function createVariant(service: CommerceService, input: { sku: string; productId: string; name: string; active?: boolean }): Promise<string> {
  const data = await gql(service, 'mutation($input: ProductVariantInput!) { upsertProductVariant(input: $input) { id } }', { input });
  return data.upsertProductVariant.id;
}

export async function createLocation(service: CommerceService, code: string, active = true): Promise<void> {
  await gql(service, 'mutation($input: StockLocationInput!) { upsertStockLocation(input: $input) { code } }', {
    input: { code, name: `Location ${code}`, active },
  });
}

export async function adjust(
  service: CommerceService,
  input: { sku: string; locationCode: string; quantity?: number; reserved?: number; reason?: string },
): Promise<any> {
  const data = await gql(
    service,
    'mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { changed level { quantity reserved available } variant { sku availableStock } } }',
    { input },
  );
  return data.adjustInventory;
}

/** Publishes `commerce.order.shipped` as the PrestaShop intake would. */
export async function publishOrderShipped(
  bus: EventBus,
  data: { orderId: string; reference: string; lines: { sku: string | null; productId: string; variantId: string | null; quantity: number }[] },
  id?: string,
): Promise<string> {
  const event = createEvent({
    type: 'commerce.order.shipped',
    source: 'prestashop-test',
    id,
    subject: data.orderId,
    data: { customerEmail: 'ada@example.com', shippedAt: new Date().toISOString(), ...data },
  });
  await bus.publish(event);
  return event.id;
}
