import { encryptionKeyFromBase64, env, loadConfig, parseKeyList, type Keyring } from '@switchboard/kit';
import { z } from 'zod';
import type { CloverRateLimits } from './http/rate-limits.js';

export type CloverEnvironment = 'sandbox' | 'production';

/** Base URLs of the Clover hosts for one environment (seed "Clover API surfaces used"). */
export interface CloverHosts {
  /** UI host: OAuth authorize (the merchant logs in here). */
  oauth: string;
  /** API host: OAuth token + refresh, Platform API v3, REST Pay Display under /connect/v1. */
  api: string;
  /** Ecommerce host: /v1/charges, /v1/refunds, /v1/credits, /pakms/apikey. */
  ecommerce: string;
  /** Tokenization host: /v1/tokens. */
  token: string;
}

export interface CloverConfig {
  hosts: Record<CloverEnvironment, CloverHosts>;
  keyring: Keyring;
  /** True when no key was configured and the development key is in use. */
  usingDevelopmentKey: boolean;
  httpTimeoutMs: number;
  /** How long a REST Pay Display call may wait for the customer at the device. */
  terminalTimeoutMs: number;
  /** Layer 1: refresh an access token this close to its expiry. */
  refreshMarginSeconds: number;
  oauth: {
    /** Where Clover sends the merchant after authorizing (the dispatcher, or our own callback). */
    redirectUri: string;
    /** Our own callback, carried in the signed state as `redirect_to`. */
    callbackUrl: string;
    stateSecret: string;
    stateTtlSeconds: number;
  };
  /** Sent as `x-forwarded-for` on card-not-present calls made by the back office. */
  forwardedForIp: string;
  /** X-POS-Id for sandbox connections without a RAID (production requires the RAID). */
  fallbackPosId: string;
  reconcileIntervalMs: number;
  /** Pending card charges are re-driven with their idempotency key for this long. */
  pendingRetryWindowMs: number;
  /** Platform API calls of this process are kept within these (Clover's documented limits by default). */
  restLimits: CloverRateLimits;
}

const DEV_KEY = Buffer.alloc(32, 'switchboard-clover-development-key').toString('base64');
const DEV_STATE_SECRET = 'switchboard-clover-dev-state-secret';

const url = (fallback: string) => z.string().url().default(fallback).transform((value) => value.replace(/\/+$/, ''));

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    CLOVER_SANDBOX_OAUTH_URL: url('https://sandbox.dev.clover.com'),
    CLOVER_SANDBOX_API_URL: url('https://apisandbox.dev.clover.com'),
    CLOVER_SANDBOX_ECOMMERCE_URL: url('https://scl-sandbox.dev.clover.com'),
    CLOVER_SANDBOX_TOKEN_URL: url('https://token-sandbox.dev.clover.com'),
    CLOVER_PRODUCTION_OAUTH_URL: url('https://www.clover.com'),
    CLOVER_PRODUCTION_API_URL: url('https://api.clover.com'),
    CLOVER_PRODUCTION_ECOMMERCE_URL: url('https://scl.clover.com'),
    CLOVER_PRODUCTION_TOKEN_URL: url('https://token.clover.com'),
    CLOVER_TOKEN_ENCRYPTION_KEY: z.string().optional(),
    CLOVER_TOKEN_ENCRYPTION_KEY_ID: z.string().default('k1'),
    CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS: z.string().optional(),
    CLOVER_HTTP_TIMEOUT_MS: env.positiveInt(15_000),
    CLOVER_TERMINAL_TIMEOUT_MS: env.positiveInt(120_000),
    CLOVER_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).default(60),
    CLOVER_OAUTH_CALLBACK_URL: url('http://localhost:4000/payment/clover/oauth/callback'),
    CLOVER_OAUTH_REDIRECT_URI: z.string().url().optional(),
    CLOVER_DISPATCHER_SECRET: env.secret(16).optional(),
    CLOVER_OAUTH_STATE_TTL_SECONDS: env.positiveInt(3600),
    CLOVER_FORWARDED_FOR_IP: z.string().ip().default('127.0.0.1'),
    CLOVER_POS_ID: z.string().min(1).max(64).default('SwitchboardPOS'),
    CLOVER_RECONCILE_INTERVAL_MS: env.positiveInt(15_000),
    CLOVER_PENDING_RETRY_WINDOW_SECONDS: env.positiveInt(3600),
    CLOVER_API_CONNECTION_CONCURRENCY: env.positiveInt(5),
    CLOVER_API_CONNECTION_REQUESTS_PER_SECOND: env.positiveInt(16),
    CLOVER_API_APP_CONCURRENCY: env.positiveInt(10),
    CLOVER_API_APP_REQUESTS_PER_SECOND: env.positiveInt(50),
  })
  .superRefine((value, ctx) => {
    if (value.NODE_ENV !== 'production') return;
    // Development defaults are public; production must bring its own secrets.
    if (!value.CLOVER_TOKEN_ENCRYPTION_KEY) {
      ctx.addIssue({ code: 'custom', path: ['CLOVER_TOKEN_ENCRYPTION_KEY'], message: 'is required in production (base64 of 32 random bytes)' });
    }
    if (!value.CLOVER_DISPATCHER_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['CLOVER_DISPATCHER_SECRET'], message: 'is required in production (signs the OAuth state)' });
    }
  });

/** Reads the `CLOVER_…` variables; a bad value throws a ConfigError naming the variable. */
export function loadCloverConfig(source: Record<string, string | undefined>): CloverConfig {
  const raw = loadConfig(
    schema.superRefine((value, ctx) => {
      const problem = (path: string, build: () => unknown) => {
        try {
          build();
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: [path], message: (error as Error).message });
        }
      };
      if (value.CLOVER_TOKEN_ENCRYPTION_KEY) {
        problem('CLOVER_TOKEN_ENCRYPTION_KEY', () => encryptionKeyFromBase64(value.CLOVER_TOKEN_ENCRYPTION_KEY_ID, value.CLOVER_TOKEN_ENCRYPTION_KEY!));
      }
      problem('CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS', () => parseKeyList(value.CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS));
    }),
    source,
  );
  const developmentKey = encryptionKeyFromBase64('dev', DEV_KEY);
  const current = raw.CLOVER_TOKEN_ENCRYPTION_KEY
    ? encryptionKeyFromBase64(raw.CLOVER_TOKEN_ENCRYPTION_KEY_ID, raw.CLOVER_TOKEN_ENCRYPTION_KEY)
    : developmentKey;
  const previous = parseKeyList(raw.CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS);
  // Outside production, values sealed with the development key stay readable once a real key is set.
  if (raw.NODE_ENV !== 'production' && current !== developmentKey) previous.push(developmentKey);
  const keyring: Keyring = { current, previous: previous.filter((key) => key.id !== current.id) };
  return {
    hosts: {
      sandbox: { oauth: raw.CLOVER_SANDBOX_OAUTH_URL, api: raw.CLOVER_SANDBOX_API_URL, ecommerce: raw.CLOVER_SANDBOX_ECOMMERCE_URL, token: raw.CLOVER_SANDBOX_TOKEN_URL },
      production: { oauth: raw.CLOVER_PRODUCTION_OAUTH_URL, api: raw.CLOVER_PRODUCTION_API_URL, ecommerce: raw.CLOVER_PRODUCTION_ECOMMERCE_URL, token: raw.CLOVER_PRODUCTION_TOKEN_URL },
    },
    keyring,
    usingDevelopmentKey: !raw.CLOVER_TOKEN_ENCRYPTION_KEY,
    httpTimeoutMs: raw.CLOVER_HTTP_TIMEOUT_MS,
    terminalTimeoutMs: raw.CLOVER_TERMINAL_TIMEOUT_MS,
    refreshMarginSeconds: raw.CLOVER_REFRESH_MARGIN_SECONDS,
    oauth: {
      callbackUrl: raw.CLOVER_OAUTH_CALLBACK_URL,
      redirectUri: raw.CLOVER_OAUTH_REDIRECT_URI ?? raw.CLOVER_OAUTH_CALLBACK_URL,
      stateSecret: raw.CLOVER_DISPATCHER_SECRET ?? DEV_STATE_SECRET,
      stateTtlSeconds: raw.CLOVER_OAUTH_STATE_TTL_SECONDS,
    },
    forwardedForIp: raw.CLOVER_FORWARDED_FOR_IP,
    fallbackPosId: raw.CLOVER_POS_ID,
    reconcileIntervalMs: raw.CLOVER_RECONCILE_INTERVAL_MS,
    pendingRetryWindowMs: raw.CLOVER_PENDING_RETRY_WINDOW_SECONDS * 1000,
    restLimits: {
      token: { concurrent: raw.CLOVER_API_CONNECTION_CONCURRENCY, perSecond: raw.CLOVER_API_CONNECTION_REQUESTS_PER_SECOND },
      app: { concurrent: raw.CLOVER_API_APP_CONCURRENCY, perSecond: raw.CLOVER_API_APP_REQUESTS_PER_SECOND },
    },
  };
}
