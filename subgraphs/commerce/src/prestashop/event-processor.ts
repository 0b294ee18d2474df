import { DriverException, FlushMode, LockMode, raw, type EntityManager } from '@mikro-orm/core';
import { outboxEmitter, type EventEmitter } from '@switchboard/kit';
import { applyCouponEvent } from '../coupons/apply-coupon.js';
import { applyCouponUsageEvent } from '../coupons/apply-coupon-usage.js';
import { applyAddressEvent, applyCustomerEvent, applyEmailChanges } from '../customers/apply-shop-customer.js';
import { applyInvoiceEvent } from '../orders/apply-invoice.js';
import { applyOrderEvent } from '../orders/apply-order.js';
import { applyPaymentEvent } from '../orders/apply-payment.js';
import type { PrestashopConfig } from './config.js';
import { consolidate, consolidationKey } from './consolidation.js';
import { parsePayload, type EventPayload } from './event-kinds.js';
import { ProcessingLog } from './processing-log.js';
import { ProcessingStore } from './processing-store.js';
import type { ApplyContext, ApplyOutcome, EventMeta } from './processing-types.js';
import { lockOthers, lockRequested, settle, type PendingEvent } from './pending-events.js';
import { PrestashopEvent, type EventStatus } from './prestashop-event.js';
import { shopTime } from './ps-values.js';

/** Bus events that ask for stored events to be processed (payload: ProcessingRequest). */
export const BATCH_RECEIVED = 'commerce.prestashop.batch_received';
export const EVENTS_REQUEUED = 'commerce.prestashop.events_requeued';

/** Most events applied in one transaction (see runRows). */
const RUN_SIZE = 500;

export interface ProcessingRequest {
  sourceEventIds: number[];
  batchId?: string;
  reason: 'intake' | 'retry' | 'stale';
}

interface Parsed {
  row: PendingEvent;
  meta: EventMeta;
  key: string | null;
  sourceEventId: number;
  payload: EventPayload;
  afterData: Record<string, unknown>;
}

/**
 * Turns stored PrestaShop events into customers, orders, invoices, payments and coupons. Every
 * effect, the events it announces and the events' new statuses are written in the caller's
 * transaction, so an event is applied exactly once even if processing is killed half-way: the
 * transaction rolls back and the bus delivers the request again.
 */
export class EventProcessor {
  constructor(
    private readonly config: PrestashopConfig,
    private readonly options: { service: string; dialect: 'sqlite' | 'postgresql' },
  ) {}

  /**
   * All pending events of the request in one go, in the caller's transaction; with `coalesce`,
   * also other pending events, up to RUN_SIZE (see runRows).
   */
  async processAll(em: EntityManager, events: EventEmitter, sourceEventIds: number[], options: { coalesce?: boolean } = {}): Promise<void> {
    // Nothing is read back mid-run, so no query needs the pending writes flushed before it.
    em.setFlushMode(FlushMode.COMMIT);
    const rows = options.coalesce ? await this.runRows(em, sourceEventIds) : await lockRequested(em, this.options.dialect, sourceEventIds);
    if (rows.length > 0) await this.apply(em, events, rows);
  }

  /**
   * For a request that failed before: first the whole request again in a savepoint; if that
   * fails for a reason other than the database, one savepoint per event, so an event whose
   * processing throws is marked failed (retry it from GraphQL once the cause is fixed) while
   * the others apply. Database errors are not the events' fault and are rethrown: the whole
   * request is retried later.
   */
  async processIsolated(em: EntityManager, sourceEventIds: number[]): Promise<void> {
    try {
      await em.transactional((tx) => this.processAll(tx, outboxEmitter(tx, this.options.service), sourceEventIds), { clear: true });
      return;
    } catch (error) {
      if (error instanceof DriverException) throw error;
    }
    const log = new ProcessingLog(em, this.config.logLevel);
    for (const sourceEventId of [...sourceEventIds].sort((a, b) => a - b)) {
      try {
        await em.transactional((tx) => this.processAll(tx, outboxEmitter(tx, this.options.service), [sourceEventId]), { clear: true });
      } catch (error) {
        if (error instanceof DriverException) throw error;
        const message = describe(error);
        await em.nativeUpdate(
          PrestashopEvent,
          { sourceEventId, status: 'pending' },
          { status: 'failed', error: message, attempts: raw('attempts + 1'), processedAt: new Date() },
        );
        log.write('ERROR', `Event ${sourceEventId} failed: ${message}`, { error: message }, { sourceEventId });
      }
    }
  }

  /**
   * The requested events plus, up to RUN_SIZE, the oldest other pending ones: a run's fixed cost
   * (a dozen queries, one commit) is shared by more events when a backlog builds up, and those
   * events' own requests then find nothing left to do.
   */
  private async runRows(em: EntityManager, sourceEventIds: number[]): Promise<PendingEvent[]> {
    const requested = await lockRequested(em, this.options.dialect, sourceEventIds);
    const others = await lockOthers(em, this.options.dialect, sourceEventIds, RUN_SIZE - requested.length);
    return [...requested, ...others].sort((a, b) => a.sourceEventId - b.sourceEventId);
  }

  private async apply(em: EntityManager, events: EventEmitter, rows: PendingEvent[]): Promise<void> {
    const now = new Date();
    const log = new ProcessingLog(em, this.config.logLevel);
    const ctx: ApplyContext = { config: this.config, events, now, log: (level, message, context) => log.write(level, message, context) };
    const outcomes = new Map<PendingEvent, ApplyOutcome | { status: 'consolidated' | 'ignored'; note?: string }>();

    const parsed: Parsed[] = [];
    for (const row of rows) {
      const afterData = row.afterData ? (JSON.parse(row.afterData) as Record<string, unknown>) : null;
      const contextData = row.contextData ? (JSON.parse(row.contextData) as Record<string, unknown>) : null;
      const result = parsePayload({ entityType: row.entityType, entityId: row.entityId, actionType: row.actionType, hookName: row.hookName, contextData, afterData });
      if (!result.ok) {
        const problems = result.problems.map((p) => `${p.field} ${p.message}`).join('; ');
        outcomes.set(row, { status: 'failed', error: `stored data does not match the payload contract: ${problems}` });
        continue;
      }
      if (result.payload.kind === 'ignored') {
        outcomes.set(row, { status: 'ignored', note: result.payload.reason });
        continue;
      }
      parsed.push({
        row,
        sourceEventId: row.sourceEventId,
        key: consolidationKey(row.actionType, result.payload),
        payload: result.payload,
        afterData: afterData ?? {},
        meta: {
          sourceEventId: row.sourceEventId,
          contentHash: row.contentHash,
          actionType: row.actionType,
          occurredAt: shopTime(row.hookTimestamp, this.config.timezone) ?? row.receivedAt,
        },
      });
    }

    const { kept, replaced } = consolidate(parsed);
    for (const { event, by } of replaced) outcomes.set(event.row, { status: 'consolidated', note: `replaced by event ${by.sourceEventId}` });

    const store = await ProcessingStore.load(em, kept.map((event) => event.payload), { lock: this.options.dialect === 'postgresql' });
    for (const event of kept) outcomes.set(event.row, this.dispatch(store, ctx, event));
    applyEmailChanges(store, now);

    const counts: Partial<Record<EventStatus, number>> = {};
    for (const [row, outcome] of outcomes) {
      counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
      const refs = { sourceEventId: row.sourceEventId, batchId: row.batchId };
      const what = `${row.entityType} ${row.entityId} ${row.actionType}`;
      if (outcome.status === 'failed') {
        log.write('ERROR', `Event ${row.sourceEventId} (${what}) failed: ${outcome.error}`, { error: outcome.error, entityType: row.entityType, entityId: row.entityId, actionType: row.actionType }, refs);
      } else if (outcome.status !== 'processed') {
        const note = 'note' in outcome ? outcome.note : undefined;
        log.write('DEBUG', `Event ${row.sourceEventId} (${what}) ${outcome.status}${note ? `: ${note}` : ''}`, { status: outcome.status }, refs);
      }
    }
    await settle(em, outcomes, now);
    const batchIds = [...new Set(rows.map((row) => row.batchId))];
    log.write('INFO', `Processed ${rows.length} event${rows.length === 1 ? '' : 's'}`, { counts, batchIds }, batchIds.length === 1 ? { batchId: batchIds[0] } : {});
  }

  private dispatch(store: ProcessingStore, ctx: ApplyContext, event: Parsed): ApplyOutcome {
    const { payload, meta } = event;
    switch (payload.kind) {
      case 'order':
        return applyOrderEvent(store, ctx, meta, payload, event.afterData);
      case 'customer':
        return applyCustomerEvent(store, ctx, meta, payload.customer);
      case 'address':
        return applyAddressEvent(store, ctx, meta, payload);
      case 'invoice':
        return applyInvoiceEvent(store, ctx, meta, payload.invoice);
      case 'payment':
        return applyPaymentEvent(store, ctx, meta, payload.payment);
      case 'coupon':
        return applyCouponEvent(store, ctx, meta, payload, event.afterData);
      case 'coupon-usage':
        return applyCouponUsageEvent(store, ctx, meta, payload.usage);
      case 'ignored':
        return { status: 'failed', error: 'unreachable: ignored events are not dispatched' };
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
