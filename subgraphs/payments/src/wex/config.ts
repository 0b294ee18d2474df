import { encryptionKeyFromBase64, env, loadConfig, parseKeyList, type Keyring } from '@switchboard/kit';
import { z } from 'zod';

/**
 * Settings of the WEX proxy. The legacy variable names (`AUTH_TOKEN`, `WEBHOOK_URL`, `TEST_MODE`,
 * `MAX_DOWNSTREAM`, …) are kept so an existing `.env` keeps working; settings the legacy proxy did
 * not have are prefixed `WEX_`.
 */
export interface WexConfig {
  /** False when `WEBHOOK_URL` is unset: `/proxy` and `/ack` then answer 503 naming it. */
  enabled: boolean;
  /** Undefined = no token required (development, or explicitly allowed in production). */
  authToken?: string;
  webhookUrl?: string;
  testMode: boolean;
  api: { url?: string; username?: string; password?: string; merchantCode: string; timeoutMs: number };
  delivery: { maxAttempts: number; ackTimeoutMs: number; retryBaseMs: number; postTimeoutMs: number };
  keyring: Keyring;
  /** True when no key was configured and the public development key is in use. */
  usingDevelopmentKey: boolean;
}

/** Public on purpose: only for development, refused in production. */
const DEVELOPMENT_KEY = Buffer.alloc(32, 'switchboard-wex-development-card-key').toString('base64');

/** Seconds as the legacy proxy read them (whole numbers); fractions are accepted for fast tests. */
const seconds = (fallback: number) =>
  z.coerce.number({ invalid_type_error: 'must be a number of seconds' }).positive('must be greater than 0').max(86_400).default(fallback);

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const httpUrl = () => z.string().refine(isHttpUrl, { message: 'must be an http(s) URL' });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    // Secrets are compared exactly as written: no trimming.
    AUTH_TOKEN: z.string().optional(),
    /** The only way to run without AUTH_TOKEN in production. */
    WEX_PROXY_ALLOW_UNAUTHENTICATED: env.bool(false),
    WEBHOOK_URL: httpUrl().optional(),
    // Python `.env` files often say `True`; the legacy proxy lower-cased the value.
    TEST_MODE: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), env.bool(false)),
    WEX_API_URL: httpUrl().optional(),
    WEX_USERNAME: z.string().optional(),
    WEX_PASSWORD: z.string().optional(),
    MERCHANT_CODE: z.string().trim().min(1).max(100).default('*'),
    /** The legacy proxy waited for WEX without a limit; a hung WEX must not hold Odoo's request forever. */
    WEX_TIMEOUT_SECONDS: seconds(30),
    MAX_DOWNSTREAM: z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1).max(50).default(5),
    ACK_TIMEOUT_SECONDS: seconds(10),
    DOWNSTREAM_RETRY_BASE_SECONDS: seconds(2),
    DOWNSTREAM_POST_TIMEOUT_SECONDS: seconds(10),
    WEX_CARD_ENCRYPTION_KEY: z.string().optional(),
    WEX_CARD_ENCRYPTION_KEY_ID: z.string().default('k1'),
    WEX_CARD_ENCRYPTION_PREVIOUS_KEYS: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const check = (path: string, build: () => unknown) => {
      try {
        build();
      } catch (error) {
        problem(path, (error as Error).message);
      }
    };
    if (value.WEX_CARD_ENCRYPTION_KEY) {
      check('WEX_CARD_ENCRYPTION_KEY', () => encryptionKeyFromBase64(value.WEX_CARD_ENCRYPTION_KEY_ID, value.WEX_CARD_ENCRYPTION_KEY!));
    }
    check('WEX_CARD_ENCRYPTION_PREVIOUS_KEYS', () => parseKeyList(value.WEX_CARD_ENCRYPTION_PREVIOUS_KEYS));
    // Nothing else matters while the proxy is off (no WEBHOOK_URL): the routes answer 503.
    if (!value.WEBHOOK_URL) return;
    if (!value.TEST_MODE) {
      for (const name of ['WEX_API_URL', 'WEX_USERNAME', 'WEX_PASSWORD'] as const) {
        if (!value[name]) problem(name, 'is required unless TEST_MODE=true');
      }
    }
    if (value.NODE_ENV === 'production') {
      if (!value.AUTH_TOKEN && !value.WEX_PROXY_ALLOW_UNAUTHENTICATED) {
        problem('AUTH_TOKEN', 'is required in production (or set WEX_PROXY_ALLOW_UNAUTHENTICATED=true to accept unauthenticated /proxy and /ack calls)');
      }
      if (!value.WEX_CARD_ENCRYPTION_KEY) {
        problem('WEX_CARD_ENCRYPTION_KEY', 'is required in production (base64 of 32 random bytes)');
      }
    }
  });

/** Reads the WEX proxy's variables; a bad value throws a ConfigError naming the variable. */
export function loadWexConfig(source: Record<string, string | undefined>): WexConfig {
  const raw = loadConfig(schema, source);
  const developmentKey = encryptionKeyFromBase64('dev', DEVELOPMENT_KEY);
  const current = raw.WEX_CARD_ENCRYPTION_KEY
    ? encryptionKeyFromBase64(raw.WEX_CARD_ENCRYPTION_KEY_ID, raw.WEX_CARD_ENCRYPTION_KEY)
    : developmentKey;
  const previous = parseKeyList(raw.WEX_CARD_ENCRYPTION_PREVIOUS_KEYS);
  // Outside production, cards sealed with the development key stay readable once a real key is set.
  if (raw.NODE_ENV !== 'production' && current !== developmentKey) previous.push(developmentKey);
  return {
    enabled: Boolean(raw.WEBHOOK_URL),
    authToken: raw.AUTH_TOKEN,
    webhookUrl: raw.WEBHOOK_URL,
    testMode: raw.TEST_MODE,
    api: {
      url: raw.WEX_API_URL,
      username: raw.WEX_USERNAME,
      password: raw.WEX_PASSWORD,
      merchantCode: raw.MERCHANT_CODE,
      timeoutMs: Math.round(raw.WEX_TIMEOUT_SECONDS * 1000),
    },
    delivery: {
      maxAttempts: raw.MAX_DOWNSTREAM,
      ackTimeoutMs: Math.round(raw.ACK_TIMEOUT_SECONDS * 1000),
      retryBaseMs: Math.round(raw.DOWNSTREAM_RETRY_BASE_SECONDS * 1000),
      postTimeoutMs: Math.round(raw.DOWNSTREAM_POST_TIMEOUT_SECONDS * 1000),
    },
    keyring: { current, previous: previous.filter((key) => key.id !== current.id) },
    usingDevelopmentKey: !raw.WEX_CARD_ENCRYPTION_KEY,
  };
}
