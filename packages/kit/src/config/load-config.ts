import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a zod object schema whose keys are environment variable names.
 * Empty strings count as unset so that `FOO=` falls back to the default.
 */
export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(environment)',
        message:
          issue.code === 'invalid_type' && issue.received === 'undefined'
            ? 'is required'
            : issue.message,
      })),
    );
  }
  return result.data;
}

/** Reusable field schemas for environment variables. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], {
        errorMap: () => ({ message: 'must be one of true, false, 1, 0, yes, no' }),
      })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  url: () => z.string().url(),
  databaseUrl: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), {
        message: 'must start with sqlite: or postgres://',
      }),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  secret: (minLength = 16) =>
    z.string().min(minLength, `must be at least ${minLength} characters`),
};

/** Variables every subgraph service reads (DESIGN.md "Configuration names every service shares"). */
export function serviceEnvSchema(defaults: { port: number; database: string }) {
  return z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: env.port(defaults.port),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: env.databaseUrl(defaults.database),
    NATS_URL: z.string().optional(),
    /** JetStream stream replicas the services ensure at start (3 on a production cluster). */
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    GATEWAY_SIGNING_SECRET: env.secret(),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_TIMEOUT_MS: env.positiveInt(25_000),
    /** Let outbound deliveries reach private/loopback addresses; default: everywhere but production. */
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: env.bool(false).optional(),
  });
}
export type ServiceEnv = z.infer<ReturnType<typeof serviceEnvSchema>>;
