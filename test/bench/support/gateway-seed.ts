/**
 * Seeds the four subgraph databases of test/bench/gateway.ts before the subgraphs start as their
 * own processes, so the Customer-360 query returns real nested results. The subgraphs run in this
 * process for the duration (on one in-process bus, so commerce's `customer.upserted` opens the
 * billing account as it would over NATS) and are stopped again once every event is delivered.
 *
 * Data goes in through each subgraph's own surface wherever it has one: commerce's and helpdesk's
 * GraphQL mutations (signed as the gateway would sign them), billing's REST API as an app calls
 * it. Payments has no API that records a payment without a live Clover or WEX call, so its rows
 * are written the way the demo seed writes them.
 */
import {
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  InProcessEventBus,
  OutboxEvent,
  signIdentity,
  type SubgraphService,
} from '@switchboard/kit';
import { BillingAccount } from '@switchboard/billing';
import { Payment } from '@switchboard/payments';
import { eventually } from '@switchboard/testkit';
import { SUBGRAPHS } from '../../../scripts/lib/subgraphs.js';
import { BENCH_SIGNING_SECRET, customerEmail } from './gateway-customer360.js';

export interface SeedOptions {
  /** DATABASE_URL of each subgraph by name. */
  databaseUrl: (subgraph: string) => string;
  customers: number;
}

export interface SeedSummary {
  customers: number;
  invoices: number;
  payments: number;
  tickets: number;
}

const INVOICES_PER_CUSTOMER = 2;
const TICKETS_PER_CUSTOMER = 2;

export async function seedCustomer360(options: SeedOptions): Promise<SeedSummary> {
  const bus = new InProcessEventBus();
  const logger = createLogger({ name: 'bench-seed', level: 'silent' });
  const services: Record<string, SubgraphService<any>> = {};
  try {
    for (const definition of SUBGRAPHS) {
      const service = await createSubgraphService(definition, {
        bus,
        logger,
        env: {
          NODE_ENV: 'test',
          DATABASE_URL: options.databaseUrl(definition.name),
          GATEWAY_SIGNING_SECRET: BENCH_SIGNING_SECRET,
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'silent',
        },
      });
      await service.start();
      services[definition.name] = service;
    }
    const { commerce, billing, payments, helpdesk } = services as Record<'commerce' | 'billing' | 'payments' | 'helpdesk', SubgraphService<any>>;

    const app = await graphql(billing, `mutation($input: CreateBillingServiceInput!) { createBillingService(input: $input) { apiKey } }`, {
      input: { code: 'benchapp', name: 'Bench app', webhookUrl: null },
    });
    const apiKey = app.createBillingService.apiKey as string;

    for (let i = 0; i < options.customers; i++) {
      await graphql(commerce, 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email } }', {
        input: { email: customerEmail(i), name: `Bench Customer ${i}` },
      });
    }
    // Billing opens each account from commerce's event. The app's POST /customers below must not
    // race that consumer for the same account, so it waits for all of them.
    await eventually((): Promise<number> => billing.deps.db.em().count(BillingAccount, {}), (n) => n >= options.customers, { timeoutMs: 60_000, intervalMs: 100 });

    let invoices = 0;
    let paymentRows = 0;
    let tickets = 0;
    for (let i = 0; i < options.customers; i++) {
      const email = customerEmail(i);
      await rest(billing, 'POST', '/customers', apiKey, { external_id: `bench-${i}`, email, name: `Bench Customer ${i}`, currency: 'USD' });
      const issued: { id: string; number: string }[] = [];
      for (let n = 0; n < INVOICES_PER_CUSTOMER; n++) {
        const body = await rest(billing, 'POST', '/invoices', apiKey, {
          external_customer_id: `bench-${i}`,
          currency: 'USD',
          lines: [
            { description: 'Support plan', quantity: '1', unit_price: '49.00' },
            { description: 'Extra seats', quantity: String(n + 2), unit_price: '12.50' },
          ],
        });
        issued.push({ id: body.invoice.id, number: body.invoice.number });
        invoices++;
      }
      await payments.deps.transaction(async ({ em }: { em: any }) => {
        const rows = [
          { kind: 'charge', status: 'succeeded', amountValue: '74.00', invoice: issued[0]! },
          { kind: 'refund', status: 'succeeded', amountValue: '10.00', invoice: issued[0]! },
          { kind: 'charge', status: 'failed', amountValue: '86.50', invoice: issued[1]! },
        ];
        rows.forEach((row, n) => {
          em.persist(em.create(Payment, {
            id: `bench-${i}-${n}`,
            customerEmail: email,
            kind: row.kind,
            provider: 'clover',
            status: row.status,
            amountValue: row.amountValue,
            currency: 'USD',
            reference: row.invoice.number,
            invoiceId: row.invoice.id,
            createdAt: new Date(Date.now() - (3 - n) * 60_000),
          }));
        });
      });
      paymentRows += 3;
      for (let n = 0; n < TICKETS_PER_CUSTOMER; n++) {
        await graphql(helpdesk, 'mutation($input: CreateTicketInput!) { createTicket(input: $input) { id } }', {
          input: {
            kind: 'question',
            subject: n === 0 ? `Invoice ${issued[0]!.number} shows the wrong VAT` : 'Export to CSV',
            customerEmail: email,
            reporterName: `Bench Customer ${i}`,
            invoiceId: n === 0 ? issued[0]!.id : null,
          },
        });
        tickets++;
      }
    }

    // Every event delivered (the tickets' acknowledgements queued, the invoices announced), so the
    // production processes start with nothing left to publish.
    for (const service of Object.values(services)) {
      await eventually((): Promise<number> => service.deps.db.em().count(OutboxEvent, { publishedAt: null }), (n) => n === 0, { timeoutMs: 60_000, intervalMs: 100 });
    }
    return { customers: options.customers, invoices, payments: paymentRows, tickets };
  } finally {
    for (const service of Object.values(services).reverse()) await service.stop().catch(() => undefined);
    await bus.close();
  }
}

/** A GraphQL operation as the gateway sends it: with an ops identity signed for the subgraph. */
async function graphql(service: SubgraphService<any>, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await service.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      [IDENTITY_HEADER]: signIdentity({ sub: 'bench-seed', roles: ['ops', 'finance', 'support'], via: 'jwt' }, BENCH_SIGNING_SECRET),
    },
    payload: { query, variables },
  });
  const body = response.json() as { data?: any; errors?: unknown[] };
  if (response.statusCode !== 200 || body.errors) throw new Error(`seeding failed: ${response.statusCode} ${response.body}`);
  return body.data;
}

/** Billing's REST API, called as the app whose key was issued above. */
async function rest(service: SubgraphService<any>, method: 'POST', path: string, apiKey: string, body: unknown): Promise<any> {
  const response = await service.app.inject({
    method,
    url: `/api/billing/v1${path}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    payload: JSON.stringify(body),
  });
  if (response.statusCode >= 300) throw new Error(`seeding failed: ${method} ${path} → ${response.statusCode} ${response.body}`);
  return response.json();
}
