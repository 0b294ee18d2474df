import type { EventEmitter } from '@switchboard/kit';
import type { LogLevel, PrestashopConfig } from './config.js';

/** What an applier decided for one event. */
export type ApplyOutcome =
  | { status: 'processed' | 'duplicate' | 'superseded' }
  | { status: 'failed'; error: string };

export const PROCESSED: ApplyOutcome = { status: 'processed' };
export const DUPLICATE: ApplyOutcome = { status: 'duplicate' };
export const SUPERSEDED: ApplyOutcome = { status: 'superseded' };

/** An event in a currency PRESTASHOP_CURRENCIES does not name: it fails, to be retried once the operator adds it. */
export function unknownCurrency(idCurrency: number | null | undefined): ApplyOutcome {
  return { status: 'failed', error: `id_currency ${idCurrency} has no ISO code: add it to PRESTASHOP_CURRENCIES (e.g. "${idCurrency}:USD") and retry` };
}

/** The stored event an applier works on. */
export interface EventMeta {
  sourceEventId: number;
  contentHash: string;
  actionType: string;
  /** When the hook fired in the shop (hook_timestamp), else when we received the event. */
  occurredAt: Date;
}

export interface ApplyContext {
  config: PrestashopConfig;
  /** Outbox of the transaction the effects are written in. */
  events: EventEmitter;
  now: Date;
  log(level: LogLevel, message: string, context?: Record<string, unknown>): void;
}

/**
 * Newest data wins: the module numbers events in the order it captured them, so a row written
 * from event N is never overwritten by an event older than N, and an event identical to the one
 * applied last changes nothing.
 */
export function freshness(row: { lastEventId: number; contentHash: string } | undefined, event: EventMeta): ApplyOutcome | null {
  if (!row) return null;
  if (row.lastEventId > event.sourceEventId) return SUPERSEDED;
  if (row.contentHash === event.contentHash) return DUPLICATE;
  return null;
}
