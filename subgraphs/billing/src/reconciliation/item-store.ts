import type { EntityManager } from '@mikro-orm/core';
import { Dec, RATE_SCALE, fixed } from '../shared/decimal.js';
import { sql } from '../shared/sql.js';
import type { StoredItem } from './period-amounts.js';
import type { ReconciliationStatus } from './reconciliation-rules.js';

/**
 * Reconciliation items in bulk: one query reads a service's items, one statement per chunk writes
 * them. The chunk travels as ONE JSON parameter unpacked by the database (jsonb_to_recordset on
 * PostgreSQL, json_each on SQLite): a thousand rows are a single bound value, not 20,000.
 */

export const keyOf = (subscription: string, period: string) => `${subscription}\u0000${period}`;

/** Amounts as the writer formats them (6 decimals), whatever the driver returns (SQLite: numbers). */
const six = (value: unknown, scale = RATE_SCALE) => (typeof value === 'string' && /\.\d{6}$/.test(value) ? value : fixed(new Dec(String(value)), scale));

export async function loadItems(em: EntityManager, serviceId: string, period?: string | null): Promise<Map<string, StoredItem>> {
  const rows = await sql<{
    id: number; subscription_external_id: string; period: string; status: ReconciliationStatus; computed_amount: unknown; external_amount: unknown;
    usage_quantity: unknown; external_invoice_count: number; subscription_id: string | null; customer_email: string | null;
  }>(em,
    `select id, subscription_external_id, period, status, computed_amount, external_amount, usage_quantity, external_invoice_count, subscription_id, customer_email
       from billing_reconciliation_item where service_id = ?${period ? ' and period = ?' : ''}`,
    period ? [serviceId, period] : [serviceId]);
  return new Map(rows.map((r) => [keyOf(r.subscription_external_id, r.period), {
    id: Number(r.id),
    status: r.status,
    computed: six(r.computed_amount),
    external: six(r.external_amount),
    usage: six(r.usage_quantity, 6),
    invoices: Number(r.external_invoice_count),
    subscriptionId: r.subscription_id,
    customerEmail: r.customer_email,
  }]));
}

export interface ItemRow {
  service_id: string;
  subscription_external_id: string;
  period: string;
  subscription_id: string;
  customer_email: string;
  currency: string;
  usage_quantity: string;
  flat_amount: string;
  overage_amount: string;
  computed_amount: string;
  external_amount: string;
  delta: string;
  external_invoice_count: number;
  status: ReconciliationStatus;
  last_run_id: string;
  created_at: unknown;
  updated_at: unknown;
}

const TYPES: Record<keyof ItemRow, string> = {
  service_id: 'varchar', subscription_external_id: 'varchar', period: 'varchar', subscription_id: 'varchar', customer_email: 'varchar',
  currency: 'varchar', usage_quantity: 'numeric', flat_amount: 'numeric', overage_amount: 'numeric', computed_amount: 'numeric',
  external_amount: 'numeric', delta: 'numeric', external_invoice_count: 'integer', status: 'varchar', last_run_id: 'varchar',
  created_at: 'timestamptz', updated_at: 'timestamptz',
};
const COLUMNS = Object.keys(TYPES) as (keyof ItemRow)[];
const UPDATED = COLUMNS.filter((c) => !['service_id', 'subscription_external_id', 'period', 'created_at'].includes(c));

/**
 * Upsert rows on (service, subscription, period) and return their ids. New figures clear an old
 * resolution; an item still `resolved` keeps its note, author and time.
 */
export async function upsertItems(em: EntityManager, dialect: 'sqlite' | 'postgresql', rows: readonly ItemRow[]): Promise<{ id: number; subscription_external_id: string; period: string }[]> {
  if (rows.length === 0) return [];
  const source = dialect === 'postgresql'
    ? `select ${COLUMNS.join(', ')} from jsonb_to_recordset(cast(? as jsonb)) as x(${COLUMNS.map((c) => `${c} ${TYPES[c]}`).join(', ')})`
    : `select ${COLUMNS.map((c) => `json_extract(value, '$.${c}')`).join(', ')} from json_each(?) where true`;
  const keep = (column: string) => `${column} = case when excluded.status = 'resolved' then billing_reconciliation_item.${column} else null end`;
  // PostgreSQL reads timestamps from JSON as ISO text; SQLite stores epoch milliseconds.
  const json = JSON.stringify(rows.map((r) => (dialect === 'postgresql' ? { ...r, created_at: toIso(r.created_at), updated_at: toIso(r.updated_at) } : r)));
  return sql(em,
    `insert into billing_reconciliation_item (${COLUMNS.join(', ')}) ${source}
     on conflict (service_id, subscription_external_id, period) do update set
       ${[...UPDATED.map((c) => `${c} = excluded.${c}`), keep('note'), keep('resolved_by'), keep('resolved_at')].join(', ')}
     returning id, subscription_external_id, period`,
    [json]);
}

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
