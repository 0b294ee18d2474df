import type { SourceDatabase } from './source-database.js';

/**
 * The readers of an app's tables (the schema of billing-NOTES §2.6: `users`, `plans`,
 * `subscriptions`, `invoices`, `invoice_items`, `usage_records`). Ids are read as text so UUID and
 * integer keys work alike; amounts as text so no value passes through a float.
 */

export interface SourceUser {
  id: string | null;
  email: string | null;
  full_name: string | null;
  company: string | null;
  billing_email: string | null;
  billing_address: string | null;
  billing_city: string | null;
  billing_state: string | null;
  billing_postal_code: string | null;
  billing_country: string | null;
  tax_id: string | null;
  stripe_customer_id: string | null;
}

export interface SourcePlan {
  id: string | null;
  name: string | null;
  price_monthly: string | null;
  price_yearly: string | null;
  cpu_seconds_quota: string | null;
  is_active: boolean | null;
}

export interface SourceSubscription {
  id: string | null;
  user_id: string | null;
  deployment_id: string | null;
  plan_id: string | null;
  status: string | null;
  billing_cycle: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
}

export interface CatalogRows {
  users: SourceUser[];
  plans: SourcePlan[];
  subscriptions: SourceSubscription[];
}

/** Users, plans and subscriptions, read before anything is written. */
export async function readCatalogRows(source: SourceDatabase): Promise<CatalogRows> {
  const users = await source.query<SourceUser>('users', `
    SELECT id::text AS id, email, full_name, company, billing_email, billing_address, billing_city, billing_state,
           billing_postal_code, billing_country, tax_id, stripe_customer_id
      FROM users ORDER BY id`);
  const plans = await source.query<SourcePlan>('plans', `
    SELECT id::text AS id, name, price_monthly::text AS price_monthly, price_yearly::text AS price_yearly,
           cpu_seconds_quota::text AS cpu_seconds_quota, is_active
      FROM plans ORDER BY id`);
  const subscriptions = await source.query<SourceSubscription>('subscriptions', `
    SELECT id::text AS id, user_id::text AS user_id, deployment_id::text AS deployment_id, plan_id::text AS plan_id,
           status::text AS status, billing_cycle::text AS billing_cycle, current_period_start, current_period_end
      FROM subscriptions ORDER BY id`);
  return { users, plans, subscriptions };
}

export interface SourceInvoiceItem {
  invoice_id: string;
  description: string | null;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
  period_start: Date | null;
}

export interface SourceInvoice {
  id: string | null;
  stripe_invoice_id: string | null;
  invoice_number: string | null;
  user_external_id: string | null;
  partner_name: string | null;
  partner_company: string | null;
  partner_email: string | null;
  subscription_external_id: string | null;
  invoice_date: Date | null;
  currency: string | null;
  status: string | null;
  subtotal: string | null;
  tax: string | null;
  amount_paid: string | null;
  paid_at: Date | null;
  items: SourceInvoiceItem[];
}

/**
 * The app's invoices (optionally those created since a date), oldest first, in pages with their
 * items. Invoices whose user row is missing are still read (LEFT JOIN): they fail loudly later
 * instead of vanishing.
 */
export async function* readInvoicePages(source: SourceDatabase, options: { since?: Date; pageSize?: number } = {}): AsyncGenerator<SourceInvoice[]> {
  const pages = source.pages<Omit<SourceInvoice, 'items'>>('invoices', `
    SELECT i.id::text AS id, i.stripe_invoice_id, i.invoice_number, i.user_id::text AS user_external_id,
           u.full_name AS partner_name, u.company AS partner_company, COALESCE(u.billing_email, u.email) AS partner_email,
           i.subscription_id::text AS subscription_external_id, i.created_at AS invoice_date, i.currency, i.status::text AS status,
           i.subtotal::text AS subtotal, i.tax::text AS tax, i.amount_paid::text AS amount_paid, i.paid_at
      FROM invoices i LEFT JOIN users u ON u.id = i.user_id
     WHERE $1::timestamptz IS NULL OR i.created_at >= $1::timestamptz
     ORDER BY i.created_at, i.id`, [options.since ?? null], options.pageSize ?? 500);
  for await (const page of pages) {
    const ids = page.map((invoice) => invoice.id).filter((id): id is string => id !== null);
    const items = ids.length === 0 ? [] : await source.query<SourceInvoiceItem>('invoice items', `
      SELECT ii.invoice_id::text AS invoice_id, ii.description, ii.quantity::text AS quantity, ii.unit_price::text AS unit_price,
             ii.amount::text AS amount, ii.period_start
        FROM invoice_items ii
       WHERE ii.invoice_id = ANY($1)
       ORDER BY ii.invoice_id, ii.period_start NULLS FIRST, ii.description, ii.amount`, [ids]);
    const byInvoice = new Map<string, SourceInvoiceItem[]>();
    for (const item of items) {
      const list = byInvoice.get(item.invoice_id);
      if (list) list.push(item);
      else byInvoice.set(item.invoice_id, [item]);
    }
    yield page.map((invoice) => ({ ...invoice, items: invoice.id === null ? [] : byInvoice.get(invoice.id) ?? [] }));
  }
}

export interface SourceUsageRow {
  subscription_external_id: string | null;
  period: string;
  cpu_seconds: string;
}

export interface SourceInvoicedRow {
  subscription_external_id: string | null;
  period: string;
  currency: string | null;
  external_amount: string;
  invoice_count: string;
}

/**
 * Usage per (subscription, month): Σ cpu_hours × 3600 CPU-seconds, aggregated by the app's
 * database (a million rows become one row per subscription and month before they reach us).
 */
export async function readUsageByPeriod(source: SourceDatabase, period?: string): Promise<SourceUsageRow[]> {
  return source.query<SourceUsageRow>('usage records', `
    SELECT u.subscription_id::text AS subscription_external_id, to_char(u.period_start, 'YYYY-MM') AS period,
           (COALESCE(SUM(u.cpu_hours), 0) * 3600)::text AS cpu_seconds
      FROM usage_records u
     WHERE $1::text IS NULL OR to_char(u.period_start, 'YYYY-MM') = $1::text
     GROUP BY 1, 2`, [period ?? null]);
}

/**
 * The app's pre-tax invoiced amount per (subscription, month, currency). Each invoice's subtotal
 * counts ONCE (the seed joined items and summed the subtotal once per item); an invoice belongs to
 * the month of its earliest item period, or of its date when its items carry none. Void and draft
 * invoices are not amounts the app charged. One-off invoices come back with a NULL subscription
 * and are skipped by the caller, never matched to anything.
 */
export async function readInvoicedByPeriod(source: SourceDatabase, period?: string): Promise<SourceInvoicedRow[]> {
  return source.query<SourceInvoicedRow>('invoices by period', `
    WITH first_period AS (
      SELECT invoice_id, MIN(period_start) AS period_start FROM invoice_items GROUP BY invoice_id
    ), invoiced AS (
      SELECT NULLIF(i.subscription_id::text, '') AS subscription_external_id,
             to_char(COALESCE(f.period_start, i.created_at), 'YYYY-MM') AS period,
             upper(i.currency::text) AS currency, i.subtotal
        FROM invoices i LEFT JOIN first_period f ON f.invoice_id = i.id
       WHERE COALESCE(lower(i.status::text), '') NOT IN ('void', 'draft')
    )
    SELECT subscription_external_id, period, currency, COALESCE(SUM(subtotal), 0)::text AS external_amount, COUNT(*)::text AS invoice_count
      FROM invoiced
     WHERE $1::text IS NULL OR period = $1::text
     GROUP BY 1, 2, 3`, [period ?? null]);
}
