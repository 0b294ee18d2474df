import { MAX_RECORD_QUANTITY, QUANTITY_SCALE, quantityToMicros } from '../rating/quantities.js';
import { instant } from '../shared/validation.js';

/** One usage record as an app sends it in `POST /usage` (`{ "usage": [ … ] }`). */
export interface UsageRecordInput {
  /** Our subscription id or the app's external subscription id. */
  subscription_id: string;
  /** The metric's code. */
  metric: string;
  /** Non-negative, at most 6 decimals; a decimal string or a JSON number. */
  quantity: string | number;
  /** Unique per (subscription, metric): the same key again is a duplicate, never a second charge. */
  idempotency_key: string;
  /** When the usage happened: ISO 8601 with a zone, or Unix seconds. Default: when received. */
  timestamp?: string | number;
  /** The value `unique_count` metrics count distinct occurrences of. */
  value?: string;
}

export interface ParsedUsage {
  index: number;
  subscriptionRef: string;
  metricCode: string;
  /** The quantity in micro-units (× 10^6). */
  micros: string;
  idempotencyKey: string;
  occurredAt: Date;
  value: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type ParsedBatch = { ok: true; records: ParsedUsage[] } | { ok: false; problems: FieldProblem[] };

/** How far ahead of our clock a timestamp may be (clock skew), in ms. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MAX_PROBLEMS = 20;

function shortString(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max && value.trim() === value ? value : undefined;
}

/**
 * Checks a whole batch before anything is stored (pure). A batch is all or nothing: any bad record
 * rejects the batch with every problem found (up to 20), each naming its field (`usage[3].quantity`).
 */
export function parseUsageBatch(body: unknown, maxBatch: number, now: Date): ParsedBatch {
  const items = (body as { usage?: unknown } | null)?.usage;
  if (!Array.isArray(items)) return { ok: false, problems: [{ field: 'usage', message: 'must be an array of usage records' }] };
  if (items.length === 0) return { ok: false, problems: [{ field: 'usage', message: 'must contain at least one record' }] };
  if (items.length > maxBatch) return { ok: false, problems: [{ field: 'usage', message: `must contain at most ${maxBatch} records per request` }] };

  const problems: FieldProblem[] = [];
  const records: ParsedUsage[] = [];
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  for (let index = 0; index < items.length && problems.length < MAX_PROBLEMS; index++) {
    const item = items[index] as Record<string, unknown> | null;
    const at = `usage[${index}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ field: at, message: 'must be an object' });
      continue;
    }
    const subscriptionRef = shortString(item.subscription_id, 200);
    if (!subscriptionRef) problems.push({ field: `${at}.subscription_id`, message: 'must be a non-empty string of at most 200 characters' });
    const metricCode = shortString(item.metric, 100);
    if (!metricCode) problems.push({ field: `${at}.metric`, message: 'must be a metric code' });
    const idempotencyKey = shortString(item.idempotency_key, 200);
    if (!idempotencyKey) problems.push({ field: `${at}.idempotency_key`, message: 'must be a non-empty string of at most 200 characters' });
    const micros = quantityToMicros(item.quantity);
    if (micros === undefined) {
      problems.push({ field: `${at}.quantity`, message: `must be a non-negative number up to ${MAX_RECORD_QUANTITY.toString()} with at most ${QUANTITY_SCALE} decimal places` });
    }
    let occurredAt = now;
    if (item.timestamp !== undefined && item.timestamp !== null) {
      const parsed = typeof item.timestamp === 'number' && Number.isFinite(item.timestamp) ? new Date(Math.round(item.timestamp * 1000)) : instant(item.timestamp);
      if (!parsed) problems.push({ field: `${at}.timestamp`, message: 'must be an ISO 8601 date-time with a time zone or Unix seconds' });
      else if (parsed.getTime() > latest) problems.push({ field: `${at}.timestamp`, message: 'must not be in the future' });
      else occurredAt = parsed;
    }
    let value: string | null = null;
    if (item.value !== undefined && item.value !== null) {
      const checked = typeof item.value === 'number' ? String(item.value) : shortString(item.value, 200);
      if (!checked) problems.push({ field: `${at}.value`, message: 'must be a string of at most 200 characters' });
      else value = checked;
    }
    if (subscriptionRef && metricCode && idempotencyKey && micros !== undefined) {
      records.push({ index, subscriptionRef, metricCode, micros, idempotencyKey, occurredAt, value });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, records };
}
