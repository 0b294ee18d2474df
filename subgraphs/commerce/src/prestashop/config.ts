import { env, isCurrency, loadConfig } from '@switchboard/kit';
import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * PrestaShop's stock order states that mean the goods left the warehouse: 4 "Shipped" and
 * 5 "Delivered" (an order moved straight to Delivered was shipped too).
 */
export const DEFAULT_SHIPPED_STATE_IDS = '4,5';

export const LOG_LEVELS = ['ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const positiveIdList = z
  .string()
  .transform((raw, ctx) => {
    const ids = raw.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
    if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of positive state ids, e.g. 4,5' });
      return z.NEVER;
    }
    return [...new Set(ids)];
  });

const currencyMap = z.string().transform((raw, ctx) => {
  const map = new Map<number, string>();
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^(\d+)\s*:\s*([A-Za-z]{3})$/.exec(entry);
    if (!match || Number(match[1]) <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not <id_currency>:<ISO 4217 code>, e.g. 1:EUR,2:USD` });
      return z.NEVER;
    }
    map.set(Number(match[1]), match[2]!.toUpperCase());
  }
  return map;
});

function schema(production: boolean) {
  return z.object({
    PRESTASHOP_WEBHOOK_SECRET: production ? env.secret(16) : env.secret(16).optional(),
    PRESTASHOP_BODY_LIMIT_BYTES: env.positiveInt(10 * 1024 * 1024),
    PRESTASHOP_MAX_EVENTS_PER_BATCH: env.positiveInt(500),
    PRESTASHOP_SHIPPED_STATE_IDS: positiveIdList.default(DEFAULT_SHIPPED_STATE_IDS),
    PRESTASHOP_CURRENCIES: currencyMap.default('1:EUR'),
    PRESTASHOP_DEFAULT_CURRENCY: z
      .string()
      .transform((v) => v.toUpperCase())
      .refine(isCurrency, { message: 'must be an ISO 4217 code such as EUR' })
      .default('EUR'),
    PRESTASHOP_TIMEZONE: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone such as Europe/Madrid' })
      .default('UTC'),
    PRESTASHOP_LOG_LEVEL: z
      .string()
      .transform((v) => v.toUpperCase())
      .pipe(z.enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) }))
      .default('INFO'),
    PRESTASHOP_REQUEUE_AFTER_MS: env.positiveInt(300_000),
    PRESTASHOP_PROCESSING_ENABLED: env.bool(true),
  });
}

export interface PrestashopConfig {
  /** Unset outside production: the webhook then answers 503 instead of accepting anyone. */
  webhookSecret?: string;
  bodyLimitBytes: number;
  maxEventsPerBatch: number;
  shippedStateIds: ReadonlySet<number>;
  /** PrestaShop `id_currency` → ISO 4217. */
  currencies: ReadonlyMap<number, string>;
  /** For payloads that carry no `id_currency` (or 0, PrestaShop's "shop default"). */
  defaultCurrency: string;
  /** Zone of the shop's `Y-m-d H:i:s` timestamps (PrestaShop sends local time without offset). */
  timezone: string;
  /** Lowest level written to the processing log. */
  logLevel: LogLevel;
  /** Pending events older than this are handed to processing again. */
  requeueAfterMs: number;
  /** False on intake-only replicas: they store batches; other replicas process them. */
  processingEnabled: boolean;
}

/** Reads the PRESTASHOP_* variables; a bad value throws a ConfigError naming the variable. */
export function loadPrestashopConfig(variables: Record<string, string | undefined>, production: boolean): PrestashopConfig {
  const raw = loadConfig(schema(production), variables);
  return {
    webhookSecret: raw.PRESTASHOP_WEBHOOK_SECRET,
    bodyLimitBytes: raw.PRESTASHOP_BODY_LIMIT_BYTES,
    maxEventsPerBatch: raw.PRESTASHOP_MAX_EVENTS_PER_BATCH,
    shippedStateIds: new Set(raw.PRESTASHOP_SHIPPED_STATE_IDS),
    currencies: raw.PRESTASHOP_CURRENCIES,
    defaultCurrency: raw.PRESTASHOP_DEFAULT_CURRENCY,
    timezone: raw.PRESTASHOP_TIMEZONE,
    logLevel: raw.PRESTASHOP_LOG_LEVEL,
    requeueAfterMs: raw.PRESTASHOP_REQUEUE_AFTER_MS,
    processingEnabled: raw.PRESTASHOP_PROCESSING_ENABLED,
  };
}

/** ISO code of a PrestaShop currency id; undefined when the id is not configured. */
export function currencyOf(config: PrestashopConfig, idCurrency: number | null | undefined): string | undefined {
  if (idCurrency === null || idCurrency === undefined || idCurrency === 0) return config.defaultCurrency;
  return config.currencies.get(idCurrency);
}
