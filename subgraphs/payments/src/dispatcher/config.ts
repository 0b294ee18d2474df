import { env, loadConfig } from '@switchboard/kit';
import { z } from 'zod';
import type { CloverEnvironment } from '../clover/index.js';
import { checkHttpUrl, normalizeHost, type ConfiguredRoutes } from './routing-rules.js';

export interface DispatcherConfig {
  routes: ConfiguredRoutes;
  /** Which Clover UI host `/clover/launch` sends merchants to. */
  environment: CloverEnvironment;
  /** Our public `/clover/callback`: the `redirect_uri` of launched authorizations. */
  callbackUrl: string;
  forward: { maxAttempts: number; retryBaseMs: number; timeoutMs: number };
  /** How often each replica re-reads the routing tables (admin edits on other replicas). */
  routingRefreshMs: number;
}

const jsonMap = (variable: string, what: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object {"<merchantId>": "<${what}>"}` });
        return z.NEVER;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object {"<merchantId>": "<${what}>"}` });
        return z.NEVER;
      }
      const out: Record<string, string> = {};
      for (const [merchantId, url] of Object.entries(parsed)) {
        if (!/^[A-Za-z0-9_-]{1,32}$/.test(merchantId)) {
          ctx.addIssue({ code: 'custom', message: `"${merchantId}" is not a merchant id` });
          continue;
        }
        try {
          checkHttpUrl(String(url), `${variable}.${merchantId}`);
          out[merchantId] = String(url);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }
      return out;
    });

const schema = z.object({
  CLOVER_DISPATCHER_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const hosts: string[] = [];
      for (const entry of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
        try {
          hosts.push(normalizeHost(entry));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }
      return hosts;
    }),
  CLOVER_DISPATCHER_MERCHANT_ROUTING: jsonMap('CLOVER_DISPATCHER_MERCHANT_ROUTING', 'customer webhook URL'),
  CLOVER_DISPATCHER_MERCHANT_BASE_URLS: jsonMap('CLOVER_DISPATCHER_MERCHANT_BASE_URLS', 'customer base URL'),
  CLOVER_DISPATCHER_APP_ID: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be a Clover app id').optional(),
  CLOVER_DISPATCHER_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  CLOVER_DISPATCHER_CALLBACK_URL: z.string().url().default('http://localhost:4000/clover/callback'),
  CLOVER_DISPATCHER_FORWARD_MAX_ATTEMPTS: env.positiveInt(8),
  CLOVER_DISPATCHER_FORWARD_RETRY_BASE_MS: env.positiveInt(2_000),
  CLOVER_DISPATCHER_FORWARD_TIMEOUT_MS: env.positiveInt(10_000),
  CLOVER_DISPATCHER_ROUTING_REFRESH_MS: env.positiveInt(10_000),
});

/** Reads the `CLOVER_DISPATCHER_…` variables (the seed Worker's settings under our prefix). */
export function loadDispatcherConfig(source: Record<string, string | undefined>): DispatcherConfig {
  const raw = loadConfig(schema, source);
  return {
    routes: {
      ...(raw.CLOVER_DISPATCHER_APP_ID ? { appId: raw.CLOVER_DISPATCHER_APP_ID } : {}),
      allowedHosts: raw.CLOVER_DISPATCHER_ALLOWED_HOSTS,
      webhookUrls: raw.CLOVER_DISPATCHER_MERCHANT_ROUTING,
      baseUrls: raw.CLOVER_DISPATCHER_MERCHANT_BASE_URLS,
    },
    environment: raw.CLOVER_DISPATCHER_ENVIRONMENT,
    callbackUrl: raw.CLOVER_DISPATCHER_CALLBACK_URL,
    forward: {
      maxAttempts: raw.CLOVER_DISPATCHER_FORWARD_MAX_ATTEMPTS,
      retryBaseMs: raw.CLOVER_DISPATCHER_FORWARD_RETRY_BASE_MS,
      timeoutMs: raw.CLOVER_DISPATCHER_FORWARD_TIMEOUT_MS,
    },
    routingRefreshMs: raw.CLOVER_DISPATCHER_ROUTING_REFRESH_MS,
  };
}
