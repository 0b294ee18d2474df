import type { DeliveryStatus } from './entities.js';
import { FINAL_DELIVERY_STATUSES } from './entities.js';

/** How one kind of delivery is retried. Pure data + functions: no I/O. */
export interface RetryPolicy {
  maxAttempts: number;
  /** Delay after failed attempt `attempt` (1-based) before the next one. */
  backoffMs(attempt: number): number;
  /** The receiver must ACK (out of band) after a 2xx; until then the delivery is not done. */
  requiresAck?: boolean;
  /** How long to wait for the ACK after a 2xx before trying again. */
  ackTimeoutMs?: number;
}

export interface DeliveryState {
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt?: Date | null;
  /** When the current in-flight attempt was claimed (updatedAt of the row). */
  updatedAt: Date;
}

/** What to do when the bus hands the worker a delivery. */
export type WakeDecision =
  | { action: 'done' } // final: acknowledge the bus message
  | { action: 'wait'; ms: number } // not due yet (or another worker holds it)
  | { action: 'exhaust' } // the last ACK wait ran out
  | { action: 'attempt' };

/** An attempt is considered lost (crashed worker) after this long in flight. */
export const IN_FLIGHT_LEASE_MS = 60_000;

export function decideOnWake(state: DeliveryState, now: number): WakeDecision {
  if (FINAL_DELIVERY_STATUSES.includes(state.status)) return { action: 'done' };
  if (state.status === 'in_flight') {
    const leaseLeft = state.updatedAt.getTime() + IN_FLIGHT_LEASE_MS - now;
    if (leaseLeft > 0) return { action: 'wait', ms: leaseLeft };
  }
  const due = state.nextAttemptAt ? state.nextAttemptAt.getTime() - now : 0;
  if (due > 25) return { action: 'wait', ms: due };
  if (state.attempts >= state.maxAttempts) return { action: 'exhaust' };
  return { action: 'attempt' };
}

export type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

export type AttemptDecision =
  | { status: 'delivered' }
  | { status: 'awaiting_ack'; retryInMs: number }
  | { status: 'pending'; retryInMs: number }
  | { status: 'exhausted' };

/**
 * After attempt `attempt`: done, wait for an ACK, retry after the backoff, or give up. With ACKs,
 * the gap after a 2xx is the ACK wait plus the backoff; after the last 2xx only the ACK wait.
 */
export function decideAfterAttempt(policy: RetryPolicy, attempt: number, outcome: AttemptOutcome): AttemptDecision {
  const last = attempt >= policy.maxAttempts;
  if (outcome.ok) {
    if (!policy.requiresAck) return { status: 'delivered' };
    const ackWait = policy.ackTimeoutMs ?? 10_000;
    return { status: 'awaiting_ack', retryInMs: last ? ackWait : ackWait + policy.backoffMs(attempt) };
  }
  if (last) return { status: 'exhausted' };
  return { status: 'pending', retryInMs: policy.backoffMs(attempt) };
}
