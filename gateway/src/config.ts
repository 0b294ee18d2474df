import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from '@switchboard/kit/edge';

/** The subgraphs the gateway knows by name; `<NAME>_URL` overrides each one's routing URL. */
export const SUBGRAPH_NAMES = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** A service account: the key itself is never configured, only its SHA-256 hex digest. */
export interface ApiKeyEntry {
  name: string;
  sha256: string;
  roles: string[];
}

const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));
const AUTH_VARIABLES = 'JWT_SECRET/JWT_JWKS_URL/GATEWAY_API_KEYS';

/** `name:sha256hex:role1|role2,other:sha256hex:` → entries; problems are reported without echoing digests. */
const apiKeys = z.string().transform((raw, ctx): ApiKeyEntry[] => {
  const entries: ApiKeyEntry[] = [];
  raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .forEach((part, index) => {
      const [name = '', digest = '', roles = '', ...rest] = part.split(':');
      const problem = !/^[\w.@-]+$/.test(name)
        ? 'name must be letters, digits, _ . @ or -'
        : !/^[0-9a-fA-F]{64}$/.test(digest)
          ? 'key must be given as a 64-character SHA-256 hex digest'
          : rest.length > 0
            ? 'expected name:sha256hex:role1|role2'
            : entries.some((e) => e.name === name)
              ? `duplicate name "${name}"`
              : undefined;
      if (problem) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `entry ${index + 1}: ${problem}` });
        return;
      }
      entries.push({
        name,
        sha256: digest.toLowerCase(),
        roles: roles.split('|').map((r) => r.trim()).filter((r) => r !== ''),
      });
    });
  return entries;
});

const baseUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//.test(v), { message: 'must be an http(s) URL' });

export const gatewayEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: env.port(4000),
  HOST: z.string().default('0.0.0.0'),
  SUPERGRAPH_PATH: z.string().default(DEFAULT_SUPERGRAPH_PATH),
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).
  JWT_SECRET: env.secret(32).optional(),
  JWT_JWKS_URL: baseUrl.optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  GATEWAY_API_KEYS: apiKeys.optional(),
  GATEWAY_SIGNING_SECRET: env.secret(16),
  GATEWAY_MAX_DEPTH: env.positiveInt(12),
  GATEWAY_MAX_ALIASES: env.positiveInt(20),
  GATEWAY_MAX_COST: env.positiveInt(5000),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(25_000),
  GATEWAY_BODY_LIMIT_BYTES: env.positiveInt(1024 * 1024),
  GATEWAY_SUBGRAPH_TIMEOUT_MS: env.positiveInt(10_000),
  GATEWAY_REST_PROXY: env.bool(false),
  GATEWAY_CONSOLE_DIR: z.string().default(DEFAULT_CONSOLE_DIR),
  GATEWAY_DEV_LOGIN: env.bool(false),
  GATEWAY_DEV_LOGIN_TTL_SECONDS: env.positiveInt(3600),
  PAYMENTS_URL: baseUrl.optional(),
  COMMERCE_URL: baseUrl.optional(),
  BILLING_URL: baseUrl.optional(),
  HELPDESK_URL: baseUrl.optional(),
  LOG_LEVEL: env.logLevel(),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

/**
 * Throws kit's `ConfigError` naming every bad variable. The "some way to authenticate" rule is
 * checked beside the schema so it is reported together with any other problem.
 */
export function loadGatewayConfig(
  environment: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const isSet = (name: string) => (environment[name] ?? '').trim() !== '';
  const authProblems = ['JWT_SECRET', 'JWT_JWKS_URL', 'GATEWAY_API_KEYS'].some(isSet)
    ? []
    : [{
        variable: AUTH_VARIABLES,
        message: 'set at least one of JWT_SECRET, JWT_JWKS_URL or GATEWAY_API_KEYS, or no caller can authenticate',
      }];
  let config: GatewayConfig;
  try {
    config = loadConfig(gatewayEnvSchema, environment);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...error.problems, ...authProblems]);
    throw error;
  }
  if (authProblems.length > 0) throw new ConfigError(authProblems);
  const devLoginProblems = devLoginProblemsOf(config);
  if (devLoginProblems.length > 0) throw new ConfigError(devLoginProblems);
  return config;
}

/** The console's dev sign-in mints tokens from JWT_SECRET, and only ever outside production. */
function devLoginProblemsOf(config: GatewayConfig): { variable: string; message: string }[] {
  if (!config.GATEWAY_DEV_LOGIN) return [];
  if (config.NODE_ENV === 'production') {
    return [{ variable: 'GATEWAY_DEV_LOGIN', message: 'the dev sign-in is for demo mode only and is refused when NODE_ENV=production' }];
  }
  if (!config.JWT_SECRET) {
    return [{ variable: 'GATEWAY_DEV_LOGIN', message: 'the dev sign-in signs tokens with JWT_SECRET: set JWT_SECRET too' }];
  }
  return [];
}

/** Base URLs (no path) configured through `PAYMENTS_URL` & co., keyed by subgraph name. */
export function subgraphBaseUrlOverrides(config: GatewayConfig): Partial<Record<SubgraphName, string>> {
  const overrides: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const value = config[`${name.toUpperCase() as Uppercase<SubgraphName>}_URL`];
    if (value) overrides[name] = value.replace(/\/+$/, '');
  }
  return overrides;
}
