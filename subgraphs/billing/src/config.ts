import { env, loadConfig, parseKeyList, type Keyring } from '@switchboard/kit';
import { z } from 'zod';

/**
 * Svix / Standard Webhooks style schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 10 h — eight attempts over about 27 hours, then the delivery is exhausted (dead letter).
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Development-only key; production must set BILLING_ENCRYPTION_KEY (checked below). */
const DEVELOPMENT_KEY = 'dev:c3dpdGNoYm9hcmQtYmlsbGluZy1kZXYta2V5LTMyYiE=';

const keyText = z.string().refine((value) => {
  try {
    return parseKeyList(value).length === 1;
  } catch {
    return false;
  }
}, { message: 'must be id:base64 of a 32-byte key, e.g. k1:' + 'A'.repeat(43) + '=' });

const previousKeys = z.string().refine((value) => {
  try {
    parseKeyList(value);
    return true;
  } catch {
    return false;
  }
}, { message: 'must be a comma-separated list of id:base64 32-byte keys' });

const schedule = z.string().transform((value, ctx) => {
  const steps = value.split(',').map((step) => Number(step.trim()));
  if (steps.length === 0 || steps.some((step) => !Number.isInteger(step) || step < 0)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be comma-separated non-negative integers (milliseconds)' });
    return z.NEVER;
  }
  return steps;
});

export const billingEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  BILLING_ENCRYPTION_KEY: keyText.optional(),
  BILLING_ENCRYPTION_PREVIOUS_KEYS: previousKeys.optional(),
  BILLING_WEBHOOK_RETRY_SCHEDULE_MS: schedule.optional(),
  BILLING_WEBHOOK_TIMEOUT_MS: env.positiveInt(15_000),
  BILLING_RATING_INTERVAL_MS: env.positiveInt(3_600_000),
  BILLING_PERIOD_CLOSE_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  BILLING_USAGE_MAX_BATCH: env.positiveInt(1_000),
  BILLING_API_BODY_LIMIT_BYTES: env.positiveInt(2 * 1024 * 1024),
  BILLING_API_KEY_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
  BILLING_CHECKOUT_URL: env.url().optional(),
}).superRefine((value, ctx) => {
  if (value.NODE_ENV === 'production' && !value.BILLING_ENCRYPTION_KEY) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['BILLING_ENCRYPTION_KEY'], message: 'is required in production' });
  }
});

export interface BillingConfig {
  keyring: Keyring;
  usingDevelopmentKey: boolean;
  webhookRetryScheduleMs: number[];
  webhookTimeoutMs: number;
  ratingIntervalMs: number;
  /** A period is invoiced this long after it ends, so late pushes of its last hours still count. */
  periodCloseGraceMs: number;
  usageMaxBatch: number;
  apiBodyLimitBytes: number;
  apiKeyCacheMs: number;
  checkoutUrl?: string;
}

/** BILLING_* settings; a bad value stops the service naming the variable. */
export function loadBillingConfig(vars: Record<string, string | undefined>): BillingConfig {
  const parsed = loadConfig(billingEnvSchema, vars);
  const [current] = parseKeyList(parsed.BILLING_ENCRYPTION_KEY ?? DEVELOPMENT_KEY);
  return {
    keyring: { current: current!, previous: parseKeyList(parsed.BILLING_ENCRYPTION_PREVIOUS_KEYS) },
    usingDevelopmentKey: !parsed.BILLING_ENCRYPTION_KEY,
    webhookRetryScheduleMs: parsed.BILLING_WEBHOOK_RETRY_SCHEDULE_MS ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS,
    webhookTimeoutMs: parsed.BILLING_WEBHOOK_TIMEOUT_MS,
    ratingIntervalMs: parsed.BILLING_RATING_INTERVAL_MS,
    periodCloseGraceMs: parsed.BILLING_PERIOD_CLOSE_GRACE_MS,
    usageMaxBatch: parsed.BILLING_USAGE_MAX_BATCH,
    apiBodyLimitBytes: parsed.BILLING_API_BODY_LIMIT_BYTES,
    apiKeyCacheMs: parsed.BILLING_API_KEY_CACHE_MS,
    checkoutUrl: parsed.BILLING_CHECKOUT_URL,
  };
}
