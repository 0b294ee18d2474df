import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { sha256Hex, type Database, type ServiceRuntime } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import { CloverInputError } from '../domain-errors.js';
import { OUTCOME_UNKNOWN } from './payment-recorder.js';

/**
 * Our payment ids double as Clover's `Idempotency-Key` and REST Pay's `externalPaymentId`
 * (at most 32 characters): 32 hex digits.
 */
export function newPaymentId(): string {
  return randomUUID().replaceAll('-', '');
}

const CLIENT_KEY = /^[\x21-\x7e]{1,100}$/;

/** The client's key scoped to the connection and the kind of request. */
export function scopedKey(connectionId: string, kind: 'charge' | 'refund' | 'credit', clientKey: string): string {
  const key = clientKey.trim();
  if (!CLIENT_KEY.test(key)) throw new CloverInputError('idempotencyKey must be 1-100 printable characters without spaces', 'idempotencyKey');
  return `clover:${connectionId}:${kind}:${key}`;
}

/** Stable hash of the request's meaningful fields (never card numbers). */
export function requestHash(fields: Record<string, unknown>): string {
  const ordered = Object.keys(fields).sort().map((key) => [key, fields[key] ?? null]);
  return sha256Hex(JSON.stringify(ordered));
}

export type Claim = { created: true; payment: Payment } | { created: false; payment: Payment };

/**
 * Inserts the pending payment, or finds the one an earlier (or concurrent) request with the same
 * key inserted. `alongside` runs in the same transaction (e.g. reserving a refund amount); it
 * is rolled back with the insert when the key already exists.
 */
export async function claimIdempotent(
  runtime: ServiceRuntime,
  row: Payment,
  alongside?: (em: EntityManager) => Promise<void>,
): Promise<Claim> {
  try {
    await runtime.transaction(async ({ em }) => {
      em.persist(row);
      await em.flush();
      await alongside?.(em);
    });
    return { created: true, payment: row };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    const existing = await runtime.db.em().findOne(Payment, { idempotencyKey: row.idempotencyKey });
    if (!existing) throw error;
    if (existing.requestHash !== row.requestHash) {
      throw new CloverInputError('idempotencyKey was already used for a different request', 'idempotencyKey');
    }
    return { created: false, payment: existing };
  }
}

/** The payment with that key, checked against this request's hash. */
export async function findByKey(em: EntityManager, key: string, hash: string): Promise<Payment | null> {
  const existing = await em.findOne(Payment, { idempotencyKey: key });
  if (existing && existing.requestHash !== hash) {
    throw new CloverInputError('idempotencyKey was already used for a different request', 'idempotencyKey');
  }
  return existing;
}

/**
 * A request seen before whose payment is still pending, answered once it is settled. When its
 * last call ended without an answer nothing is in flight: ask again now. Otherwise let a
 * concurrent first attempt finish (up to `waitMs`), and ask again if it is still pending.
 */
export async function resumePending(db: Database, existing: Payment, waitMs: number, redrive: (payment: Payment) => Promise<Payment>): Promise<Payment> {
  if (existing.failureCode === OUTCOME_UNKNOWN) return redrive(existing);
  const deadline = Date.now() + waitMs;
  let current = existing;
  while (current.status === 'pending' && Date.now() < deadline) {
    await sleep(50);
    current = await db.em().findOneOrFail(Payment, { id: existing.id });
  }
  return current.status === 'pending' ? redrive(current) : current;
}
