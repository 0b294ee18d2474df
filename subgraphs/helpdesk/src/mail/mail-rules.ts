import { FINAL_MAIL_STATUSES, type MailStatus } from './outgoing-mail.js';

/** Retry rules of the mail outbox. Pure. */

export const MAX_RETRY_DELAY_MS = 60 * 60_000;
/** An attempt still "in flight" after this long is taken to have died with its worker. */
export const SEND_LEASE_MS = 2 * 60_000;

/** Delay after failed attempt `attempt` (1-based): base, 2·base, 4·base, … capped at one hour. */
export function mailRetryDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), MAX_RETRY_DELAY_MS);
}

export type SmtpFailureKind = 'permanent' | 'transient';

/**
 * SMTP 5xx replies are permanent (no such mailbox, policy rejection): retrying only repeats them.
 * 4xx replies, timeouts and connection errors are transient.
 */
export function classifySmtpFailure(error: { responseCode?: number; code?: string }): SmtpFailureKind {
  const code = error.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 ? 'permanent' : 'transient';
}

export interface MailState {
  status: MailStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt?: Date | null;
  updatedAt: Date;
}

export type MailWake = { action: 'done' } | { action: 'wait'; ms: number } | { action: 'attempt' };

/** What the worker does when the bus hands it a mail. */
export function decideMailWake(mail: MailState, now: number): MailWake {
  if (FINAL_MAIL_STATUSES.includes(mail.status)) return { action: 'done' };
  if (mail.status === 'in_flight') {
    const left = mail.updatedAt.getTime() + SEND_LEASE_MS - now;
    if (left > 0) return { action: 'wait', ms: left };
  }
  const due = mail.nextAttemptAt ? mail.nextAttemptAt.getTime() - now : 0;
  return due > 25 ? { action: 'wait', ms: due } : { action: 'attempt' };
}

export type MailOutcome = { ok: true } | { ok: false; kind: SmtpFailureKind; error: string };
export type MailDecision = { status: 'sent' } | { status: 'pending'; retryInMs: number } | { status: 'failed' };

export function decideAfterSend(attempt: number, maxAttempts: number, outcome: MailOutcome, baseMs: number): MailDecision {
  if (outcome.ok) return { status: 'sent' };
  if (outcome.kind === 'permanent' || attempt >= maxAttempts) return { status: 'failed' };
  return { status: 'pending', retryInMs: mailRetryDelay(attempt, baseMs) };
}
