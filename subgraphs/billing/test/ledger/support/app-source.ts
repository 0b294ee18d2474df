import pg from 'pg';
import type { PostgresHandle } from '@switchboard/testkit';

/**
 * An app's own PostgreSQL database, as billing-NOTES §2.6 describes NexaCloud's: the importer,
 * the invoice ingest and reconciliation read it through a DSN. Ids are text here so the seed's
 * fixtures keep their ids (`u-1`, `p-1`, `s-1`, `inv-1`); the readers cast ids to text either way.
 */
export const APP_SCHEMA = `
  CREATE TABLE users (
    id text PRIMARY KEY, email text, full_name text, company text, billing_email text, billing_address text,
    billing_city text, billing_state text, billing_postal_code text, billing_country text, tax_id text, stripe_customer_id text
  );
  CREATE TABLE plans (
    id text PRIMARY KEY, product_id text, name text, price_monthly numeric(12,4), price_yearly numeric(12,4),
    stripe_price_id text, cpu_seconds_quota bigint, is_active boolean DEFAULT true
  );
  CREATE TABLE deployments (id text PRIMARY KEY, user_id text, product_id text, plan_id text, name text, status text, billing_cycle text, next_due_date timestamp);
  CREATE TABLE subscriptions (
    id text PRIMARY KEY, user_id text, deployment_id text, plan_id text, status text, billing_cycle text,
    current_period_start timestamp, current_period_end timestamp, stripe_subscription_id text
  );
  CREATE TABLE usage_records (id bigserial PRIMARY KEY, subscription_id text, period_start timestamp, cpu_hours numeric(14,4));
  CREATE TABLE invoices (
    id text PRIMARY KEY, stripe_invoice_id text, invoice_number text, user_id text, subscription_id text, created_at timestamp,
    currency text, status text, subtotal numeric(12,4), tax numeric(12,4), amount_paid numeric(12,4), paid_at timestamp
  );
  CREATE TABLE invoice_items (
    id bigserial PRIMARY KEY, invoice_id text NOT NULL REFERENCES invoices(id), description text, quantity numeric(12,4),
    unit_price numeric(12,4), amount numeric(12,4), period_start timestamp
  );
  CREATE INDEX invoice_items_invoice_id ON invoice_items (invoice_id);
  CREATE INDEX usage_records_subscription ON usage_records (subscription_id, period_start);
  CREATE INDEX invoices_created_at ON invoices (created_at, id);
`;

export type Row = Record<string, unknown>;

export interface SourceUserRow extends Row { id: string | null }
export interface InvoiceFixture extends Row {
  id: string;
  items?: Row[];
}

/** One app database: created empty with the schema, written by the test as the app would. */
export class AppSource {
  private constructor(readonly url: string, private readonly client: pg.Client) {}

  static async create(postgres: PostgresHandle, prefix = 'app'): Promise<AppSource> {
    const url = await postgres.createDatabase(prefix);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SET TIME ZONE \'UTC\'');
    await client.query(APP_SCHEMA);
    return new AppSource(url, client);
  }

  query<T extends pg.QueryResultRow = Row>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.client.query<T>(sql, params);
  }

  async insert(table: string, rows: Row[]): Promise<void> {
    for (const row of rows) {
      const columns = Object.keys(row);
      await this.client.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => row[c]),
      );
    }
  }

  async insertInvoices(invoices: InvoiceFixture[]): Promise<void> {
    for (const { items = [], ...invoice } of invoices) {
      await this.insert('invoices', [invoice]);
      await this.insert('invoice_items', items.map((item) => ({ invoice_id: invoice.id, ...item })));
    }
  }

  async truncate(): Promise<void> {
    await this.client.query('TRUNCATE users, plans, deployments, subscriptions, usage_records, invoice_items, invoices');
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The seed's importer fixture (billing-NOTES §5, `_fixture()`). */
export function importerFixture() {
  return {
    users: [
      {
        id: 'u-1', email: 'ar@acme.test', full_name: 'Acme Inc', company: 'Acme', billing_email: 'billing@acme.test', billing_address: '1 Main St',
        billing_city: 'Toronto', billing_state: 'ON', billing_postal_code: 'M1M1M1', billing_country: 'CA', tax_id: '123456789RT0001', stripe_customer_id: 'cus_ACME',
      },
      {
        id: 'u-2', email: 'ops@globex.test', full_name: 'Globex', company: null, billing_email: null, billing_address: null,
        billing_city: null, billing_state: null, billing_postal_code: null, billing_country: null, tax_id: null, stripe_customer_id: 'cus_GLBX',
      },
    ],
    plans: [{ id: 'p-1', name: 'Starter', price_monthly: '20.0', price_yearly: '200.0', cpu_seconds_quota: 18000, is_active: true }],
    subscriptions: [
      { id: 's-1', user_id: 'u-1', deployment_id: 'd-1', plan_id: 'p-1', status: 'active', billing_cycle: 'monthly', current_period_start: '2026-05-01 00:00:00', current_period_end: '2026-06-01 00:00:00' },
      { id: 's-2', user_id: 'u-2', deployment_id: 'd-2', plan_id: 'p-1', status: 'active', billing_cycle: 'yearly', current_period_start: '2026-05-01 00:00:00', current_period_end: '2027-05-01 00:00:00' },
    ],
  };
}

export async function loadImporterFixture(source: AppSource, fixture = importerFixture()): Promise<void> {
  await source.insert('users', fixture.users);
  await source.insert('plans', fixture.plans);
  await source.insert('subscriptions', fixture.subscriptions);
}

/** The seed's ledger fixture (`_inv_fixture()`), as rows of the app's tables. */
export function invoiceFixture(overrides: Partial<InvoiceFixture> = {}): InvoiceFixture {
  return {
    id: 'inv-1', stripe_invoice_id: 'in_test1', invoice_number: 'NEX-0001', user_id: 'u-1', subscription_id: null,
    created_at: '2026-05-01 00:00:00', currency: 'CAD', status: 'open', subtotal: '100.0', tax: '13.0', amount_paid: '0.0', paid_at: null,
    items: [{ description: 'Odoo ERP Hosting (2026-05-01 to 2026-06-01)', quantity: '1.0', unit_price: '100.0', amount: '100.0', period_start: '2026-05-01 00:00:00' }],
    ...overrides,
  };
}

/** The ledger fixture's user (partner "Acme", ar@acme.test). */
export const LEDGER_USER = {
  id: 'u-1', email: 'ar@acme.test', full_name: 'Acme', company: null, billing_email: null, billing_address: null, billing_city: null,
  billing_state: null, billing_postal_code: null, billing_country: null, tax_id: null, stripe_customer_id: 'cus_ACME',
};
