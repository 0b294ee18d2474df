import { env, loadConfig, parseAmount, type Decimal } from '@switchboard/kit';
import { z } from 'zod';

/** Where and as whom the sync talks to Odoo; absent when `ODOO_API_BASE_URL` is not set. */
export interface OdooTarget {
  baseUrl: string;
  token: string;
  partnerId: number;
}

export interface InventoryConfig {
  /** Odoo vendor API; undefined: inventory sync is switched off (nothing is queued). */
  odoo?: OdooTarget;
  /** SHA-256 digests of the bearer tokens the REST adapter accepts, by name. */
  apiKeys: { name: string; sha256: string }[];
  /** Calls per second to Odoo, across every replica together. */
  rateLimitPerSecond: number;
  /** Added to the one-second window (ms), so that a window Odoo counts inclusively still holds. */
  rateLimitGuardMs: number;
  odooTimeoutMs: number;
  fullSyncTimeoutMs: number;
  variantSyncAttempts: number;
  fullSyncAttempts: number;
  retryBaseMs: number;
  /** VARIANT_SYNC jobs one process works on at once. */
  concurrency: number;
  supplierPrice: Decimal;
  failingThreshold: number;
  logRetentionDays: number;
  keepCompletedJobs: number;
  keepFailedJobs: number;
}

const API_KEY_ENTRY = /^([A-Za-z0-9._-]+):([0-9a-f]{64})$/;

const schema = z
  .object({
    ODOO_API_BASE_URL: env.url().optional(),
    ODOO_API_TOKEN: z.string().min(1).optional(),
    ODOO_PARTNER_ID: z.coerce.number().int().positive().optional(),
    INVENTORY_API_KEYS: z
      .string()
      .default('')
      .transform((value, ctx) => {
        const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
        return entries.flatMap((entry) => {
          const match = API_KEY_ENTRY.exec(entry);
          if (!match) {
            ctx.addIssue({ code: 'custom', message: `entry "${entry.split(':')[0]}" must be name:sha256hex (64 lower-case hex digits)` });
            return [];
          }
          return [{ name: match[1]!, sha256: match[2]! }];
        });
      }),
    INVENTORY_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(100_000).default(5),
    INVENTORY_RATE_LIMIT_GUARD_MS: z.coerce.number().int().min(0).max(10_000).default(10),
    INVENTORY_ODOO_TIMEOUT_MS: env.positiveInt(30_000),
    INVENTORY_FULL_SYNC_TIMEOUT_MS: env.positiveInt(600_000),
    INVENTORY_VARIANT_SYNC_ATTEMPTS: env.positiveInt(3),
    INVENTORY_FULL_SYNC_ATTEMPTS: env.positiveInt(1),
    INVENTORY_RETRY_BASE_MS: env.positiveInt(2_000),
    INVENTORY_SYNC_CONCURRENCY: z.coerce.number().int().positive().max(256).default(8),
    INVENTORY_SUPPLIER_PRICE: z
      .string()
      .default('0')
      .transform((value, ctx) => {
        const price = parseAmount(value, 2);
        if (!price || price.isNegative() || price.greaterThanOrEqualTo(1e12)) {
          ctx.addIssue({ code: 'custom', message: 'must be a decimal amount >= 0 with at most 2 decimal places, e.g. 0 or 12.50' });
          return z.NEVER;
        }
        return price;
      }),
    INVENTORY_FAILING_THRESHOLD: env.positiveInt(10),
    INVENTORY_LOG_RETENTION_DAYS: env.positiveInt(90),
    INVENTORY_JOBS_KEEP_COMPLETED: z.coerce.number().int().min(0).default(100),
    INVENTORY_JOBS_KEEP_FAILED: z.coerce.number().int().min(0).default(500),
  })
  .superRefine((value, ctx) => {
    if (!value.ODOO_API_BASE_URL) return;
    // Either all three legacy settings or none: a half-configured sync would fail every call.
    if (!value.ODOO_API_TOKEN) ctx.addIssue({ code: 'custom', path: ['ODOO_API_TOKEN'], message: 'is required when ODOO_API_BASE_URL is set' });
    if (!value.ODOO_PARTNER_ID) ctx.addIssue({ code: 'custom', path: ['ODOO_PARTNER_ID'], message: 'is required when ODOO_API_BASE_URL is set' });
  });

/** Reads the inventory settings; a bad value throws a `ConfigError` naming the variable. */
export function loadInventoryConfig(source: Record<string, string | undefined>): InventoryConfig {
  const v = loadConfig(schema, source);
  return {
    odoo: v.ODOO_API_BASE_URL
      ? { baseUrl: v.ODOO_API_BASE_URL.replace(/\/+$/, ''), token: v.ODOO_API_TOKEN!, partnerId: v.ODOO_PARTNER_ID! }
      : undefined,
    apiKeys: v.INVENTORY_API_KEYS,
    rateLimitPerSecond: v.INVENTORY_RATE_LIMIT_PER_SECOND,
    rateLimitGuardMs: v.INVENTORY_RATE_LIMIT_GUARD_MS,
    odooTimeoutMs: v.INVENTORY_ODOO_TIMEOUT_MS,
    fullSyncTimeoutMs: v.INVENTORY_FULL_SYNC_TIMEOUT_MS,
    variantSyncAttempts: v.INVENTORY_VARIANT_SYNC_ATTEMPTS,
    fullSyncAttempts: v.INVENTORY_FULL_SYNC_ATTEMPTS,
    retryBaseMs: v.INVENTORY_RETRY_BASE_MS,
    concurrency: v.INVENTORY_SYNC_CONCURRENCY,
    supplierPrice: v.INVENTORY_SUPPLIER_PRICE,
    failingThreshold: v.INVENTORY_FAILING_THRESHOLD,
    logRetentionDays: v.INVENTORY_LOG_RETENTION_DAYS,
    keepCompletedJobs: v.INVENTORY_JOBS_KEEP_COMPLETED,
    keepFailedJobs: v.INVENTORY_JOBS_KEEP_FAILED,
  };
}
