import { env, loadConfig } from '@switchboard/kit';
import { z } from 'zod';

export interface CloverWebhookConfig {
  /** Larger bodies get 413 before they are read whole (both webhook endpoints). */
  bodyLimitBytes: number;
  /** App secrets configured here (the seed's provider field); connections' secrets are used too. */
  appSecrets: string[];
  /** Follow-up attempts (Platform API fetch + payment update) before a webhook is parked as failed. */
  maxAttempts: number;
  /** Delay after attempt n: base·2^(n-1). */
  retryBaseMs: number;
  /** Follow up verified webhooks in this process (off: intake only; other replicas follow up). */
  processorEnabled: boolean;
  processorConcurrency: number;
  /** Connection app secrets are re-read this often (and on a miss, at most once a second). */
  secretCacheMs: number;
  /** Rejected webhooks are kept this long (no body is kept for them). */
  rejectedRetentionMs: number;
  /** At most this many rejected webhooks per second are journaled; the rest are only counted. */
  rejectedJournalPerSecond: number;
}

const schema = z.object({
  CLOVER_WEBHOOK_BODY_LIMIT_BYTES: env.positiveInt(1024 * 1024).refine((v) => v >= 1024, 'must be at least 1024'),
  CLOVER_WEBHOOK_APP_SECRET: z.string().optional(),
  CLOVER_WEBHOOK_MAX_ATTEMPTS: env.positiveInt(6),
  CLOVER_WEBHOOK_RETRY_BASE_MS: env.positiveInt(5_000),
  CLOVER_WEBHOOK_PROCESSOR_ENABLED: env.bool(true),
  CLOVER_WEBHOOK_PROCESSOR_CONCURRENCY: env.positiveInt(16),
  CLOVER_WEBHOOK_SECRET_CACHE_MS: env.positiveInt(60_000),
  CLOVER_WEBHOOK_REJECTED_RETENTION_HOURS: env.positiveInt(168),
  CLOVER_WEBHOOK_REJECTED_JOURNAL_PER_SECOND: z.coerce.number().int().min(0).default(50),
});

/** Reads the `CLOVER_WEBHOOK_…` variables; a bad value throws a ConfigError naming it. */
export function loadCloverWebhookConfig(source: Record<string, string | undefined>): CloverWebhookConfig {
  const raw = loadConfig(
    schema.superRefine((value, ctx) => {
      const secrets = splitSecrets(value.CLOVER_WEBHOOK_APP_SECRET);
      if (secrets.some((secret) => secret.length < 8)) {
        ctx.addIssue({ code: 'custom', path: ['CLOVER_WEBHOOK_APP_SECRET'], message: 'each secret (comma-separated) must be at least 8 characters' });
      }
    }),
    source,
  );
  return {
    bodyLimitBytes: raw.CLOVER_WEBHOOK_BODY_LIMIT_BYTES,
    appSecrets: splitSecrets(raw.CLOVER_WEBHOOK_APP_SECRET),
    maxAttempts: raw.CLOVER_WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: raw.CLOVER_WEBHOOK_RETRY_BASE_MS,
    processorEnabled: raw.CLOVER_WEBHOOK_PROCESSOR_ENABLED,
    processorConcurrency: raw.CLOVER_WEBHOOK_PROCESSOR_CONCURRENCY,
    secretCacheMs: raw.CLOVER_WEBHOOK_SECRET_CACHE_MS,
    rejectedRetentionMs: raw.CLOVER_WEBHOOK_REJECTED_RETENTION_HOURS * 3_600_000,
    rejectedJournalPerSecond: raw.CLOVER_WEBHOOK_REJECTED_JOURNAL_PER_SECOND,
  };
}

/** Current secret first, then the previous one during a rotation: `new,old`. */
function splitSecrets(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
