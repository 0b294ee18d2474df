import type { Validated } from '../../customers/customer-rules.js';
import { SYNC_TRIGGERS, type SyncTrigger } from './sync-job.js';
import { SYNC_LOG_STATUSES, type SyncLogStatus } from './sync-log.js';

/** Filters of `GET /api/odoo/sync/logs` (and the `odooSyncLogs` query). */
export interface LogQuery {
  page: number;
  limit: number;
  status?: SyncLogStatus;
  triggerType?: SyncTrigger;
  /** Partial, case-insensitive match. */
  variantSku?: string;
  startDate?: Date;
  endDate?: Date;
}

export const MAX_LOG_PAGE_SIZE = 500;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

type Raw = Record<string, unknown>;

function single(raw: Raw, name: string): { value?: string } | { error: string } {
  const value = raw[name];
  if (value === undefined || value === null || value === '') return {};
  if (Array.isArray(value)) return { error: `${name} must be given once` };
  return { value: String(value).trim() };
}

function integer(raw: Raw, name: string, fallback: number, max: number): number | { error: string } {
  const got = single(raw, name);
  if ('error' in got) return got;
  if (got.value === undefined) return fallback;
  if (!/^\d+$/.test(got.value) || Number(got.value) < 1 || Number(got.value) > max) {
    return { error: `${name} must be an integer between 1 and ${max}` };
  }
  return Number(got.value);
}

function date(raw: Raw, name: string, endOfDay: boolean): Date | undefined | { error: string } {
  const got = single(raw, name);
  if ('error' in got) return got;
  if (got.value === undefined) return undefined;
  const dateOnly = ISO_DATE.test(got.value);
  if (!dateOnly && !ISO_DATE_TIME.test(got.value)) return { error: `${name} must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z` };
  // A bare date is a whole day (UTC): endDate=2025-01-31 includes everything on the 31st.
  const parsed = new Date(dateOnly ? `${got.value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : got.value);
  if (Number.isNaN(parsed.getTime()) || !isCalendarDate(got.value.slice(0, 10))) return { error: `${name} is not a valid date: ${got.value}` };
  return parsed;
}

/** Date parsing rolls 2025-02-30 over to March; a filter should say the date does not exist. */
function isCalendarDate(ymd: string): boolean {
  const [year, month, day] = ymd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function oneOf<T extends string>(raw: Raw, name: string, allowed: readonly T[]): T | undefined | { error: string } {
  const got = single(raw, name);
  if ('error' in got) return got;
  if (got.value === undefined) return undefined;
  const value = got.value.toUpperCase();
  if (!(allowed as readonly string[]).includes(value)) return { error: `${name} must be one of ${allowed.join(', ')}` };
  return value as T;
}

const failed = (value: unknown): value is { error: string } => typeof value === 'object' && value !== null && 'error' in value;

/** Checks the query string; the message names the parameter at fault. */
export function parseLogQuery(raw: Raw): Validated<LogQuery> {
  const page = integer(raw, 'page', 1, 1_000_000);
  if (failed(page)) return { ok: false, field: 'page', message: page.error };
  const limit = integer(raw, 'limit', 50, MAX_LOG_PAGE_SIZE);
  if (failed(limit)) return { ok: false, field: 'limit', message: limit.error };
  const status = oneOf(raw, 'status', SYNC_LOG_STATUSES);
  if (failed(status)) return { ok: false, field: 'status', message: status.error };
  const triggerType = oneOf(raw, 'triggerType', SYNC_TRIGGERS);
  if (failed(triggerType)) return { ok: false, field: 'triggerType', message: triggerType.error };
  const sku = single(raw, 'variantSku');
  if ('error' in sku) return { ok: false, field: 'variantSku', message: sku.error };
  if (sku.value !== undefined && sku.value.length > 100) return { ok: false, field: 'variantSku', message: 'variantSku must be at most 100 characters' };
  const startDate = date(raw, 'startDate', false);
  if (failed(startDate)) return { ok: false, field: 'startDate', message: startDate.error };
  const endDate = date(raw, 'endDate', true);
  if (failed(endDate)) return { ok: false, field: 'endDate', message: endDate.error };
  if (startDate && endDate && startDate > endDate) return { ok: false, field: 'endDate', message: 'endDate must not be before startDate' };
  return {
    ok: true,
    value: {
      page,
      limit,
      ...(status ? { status } : {}),
      ...(triggerType ? { triggerType } : {}),
      ...(sku.value ? { variantSku: sku.value } : {}),
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
    },
  };
}
