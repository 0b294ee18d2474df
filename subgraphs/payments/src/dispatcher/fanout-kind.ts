import { exponentialSchedule, type DeliveryKind } from '@switchboard/kit';
import type { DispatcherConfig } from './config.js';

/** Webhook fan-out to a customer installation: the raw body verbatim, `X-Clover-Auth-Code` kept. */
export const WEBHOOK_FANOUT_KIND = 'clover.webhook-fanout';

/**
 * The stored delivery is already exactly what is sent (no per-attempt preparation): the
 * customer re-verifies the HMAC over these bytes, so nothing may touch them.
 */
export function webhookFanoutKind(config: DispatcherConfig['forward']): DeliveryKind {
  const schedule = exponentialSchedule(config.retryBaseMs, Math.max(config.maxAttempts - 1, 1));
  return {
    name: WEBHOOK_FANOUT_KIND,
    maxAttempts: config.maxAttempts,
    backoffMs: (attempt) => schedule[Math.min(attempt, schedule.length) - 1]!,
    timeoutMs: config.timeoutMs,
  };
}

/** Headers of a forward: the signature and the content type as Clover sent them. */
export function fanoutHeaders(signature: string | undefined, contentType: string | undefined): Record<string, string> {
  return {
    'content-type': contentType || 'application/json',
    'user-agent': 'switchboard-clover-dispatcher',
    ...(signature ? { 'X-Clover-Auth-Code': signature } : {}),
  };
}
