import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { createEvent, GroupCommit, insertRows, OutboxEvent, type EventEmitter, type ServiceRuntime } from '@switchboard/kit';
import { CloverWebhook, type ProcessingStatus, type RejectionReason, type WebhookEndpoint, type WebhookStatus } from './clover-webhook.js';

export type Transaction = { em: EntityManager; events: EventEmitter };

/** Every column of a journal row (one multi-row insert wants the same keys on every row). */
export type WebhookRow = {
  id: string;
  endpoint: WebhookEndpoint;
  status: WebhookStatus;
  reason: RejectionReason | null;
  detail: string | null;
  shape: string | null;
  appId: string | null;
  merchantIds: string | null;
  merchantCount: number;
  objectCount: number;
  verificationCode: string | null;
  dedupeKey: string | null;
  body: string | null;
  bodyBytes: number;
  signature: string | null;
  remoteIp: string | null;
  receivedAt: Date;
  processingStatus: ProcessingStatus | null;
  processingAttempts: number;
  processingStartedAt: Date | null;
  processingError: string | null;
  processingResult: string | null;
  processedAt: Date | null;
  forwardCount: number;
  unroutedMerchantIds: string | null;
};

export function webhookRow(fields: Pick<WebhookRow, 'endpoint' | 'status' | 'bodyBytes'> & Partial<WebhookRow>): WebhookRow {
  return {
    id: randomUUID(),
    reason: null,
    detail: null,
    shape: null,
    appId: null,
    merchantIds: null,
    merchantCount: 0,
    objectCount: 0,
    verificationCode: null,
    dedupeKey: null,
    body: null,
    signature: null,
    remoteIp: null,
    receivedAt: new Date(),
    processingStatus: null,
    processingAttempts: 0,
    processingStartedAt: null,
    processingError: null,
    processingResult: null,
    processedAt: null,
    forwardCount: 0,
    unroutedMerchantIds: null,
    ...fields,
  };
}

export interface JournalEntry {
  row: WebhookRow;
  /** An event announcing the row, written to the outbox in the same transaction if the row is new. */
  event?: { type: string; data: unknown; subject: string; id: string; traceparent?: string };
  /** Runs in the same transaction when the row is new (not a duplicate): deliveries and the like. */
  onNew?(tx: Transaction, row: WebhookRow): void;
}

export interface JournalResult {
  /** The stored row: this one, or the earlier identical webhook when `duplicate`. */
  id: string;
  duplicate: boolean;
}

/** Batches above this are split (bound parameters per statement stay well under every limit). */
const MAX_BATCH = 200;

/**
 * Durable webhook journal with group commit: the rows (with their outbox events and whatever
 * `onNew` adds) of every request waiting at that moment are written in one transaction — one
 * multi-row insert per table — and each request is answered once its row is committed. A row
 * whose `dedupeKey` is already stored is a duplicate: the insert skips it (`on conflict do
 * nothing`, so concurrent replicas cannot both store it), nothing else is written for it, and its
 * caller learns the earlier id.
 */
export class WebhookJournal {
  private readonly commits: GroupCommit<JournalEntry, JournalResult>;

  constructor(private readonly runtime: ServiceRuntime) {
    this.commits = new GroupCommit((entries) => this.write(entries), {
      maxBatch: MAX_BATCH,
      // SQLite has one writer; PostgreSQL overlaps a commit with the next batch.
      concurrency: runtime.db.dialect === 'sqlite' ? 1 : 3,
    });
  }

  /** Resolves once the entry is committed (or found to be a duplicate). */
  record(entry: JournalEntry): Promise<JournalResult> {
    return this.commits.submit(entry);
  }

  get backlog(): number {
    return this.commits.backlog;
  }

  private async write(entries: JournalEntry[]): Promise<JournalResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runtime.transaction((tx) => this.writeOnce(tx, entries));
      } catch (error) {
        // A clash the insert could not skip (another replica mid-commit): the next pass sees it.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async writeOnce(tx: Transaction, entries: JournalEntry[]): Promise<JournalResult[]> {
    const rows = entries.map((entry) => entry.row);
    const affectedRows = await insertRows(tx.em, CloverWebhook, rows, { ignoreConflictsOn: 'dedupeKey' });
    // The usual case: everything was new. Otherwise find out which rows went in.
    const stored =
      affectedRows === rows.length
        ? new Set(rows.map((row) => row.id))
        : new Set((await tx.em.find(CloverWebhook, { id: { $in: rows.map((row) => row.id) } }, { fields: ['id'] })).map((row) => row.id));
    const duplicates = entries.filter((entry) => !stored.has(entry.row.id));
    const earlier = new Map<string, string>();
    if (duplicates.length > 0) {
      const keys = duplicates.map((entry) => entry.row.dedupeKey!);
      for (const row of await tx.em.find(CloverWebhook, { dedupeKey: { $in: keys } }, { fields: ['id', 'dedupeKey'] })) earlier.set(row.dedupeKey!, row.id);
    }

    const fresh = entries.filter((entry) => stored.has(entry.row.id));
    // The rows `outboxEmitter` would write, in one statement.
    const events = fresh.flatMap((entry) => {
      if (!entry.event) return [];
      const event = createEvent({ ...entry.event, source: this.runtime.service });
      return [{ id: event.id, type: event.type, envelope: JSON.stringify(event), createdAt: new Date(), publishedAt: null, publishAttempts: 0, lastError: null }];
    });
    await insertRows(tx.em, OutboxEvent, events);
    for (const entry of fresh) entry.onNew?.(tx, entry.row);
    return entries.map((entry) =>
      stored.has(entry.row.id) ? { id: entry.row.id, duplicate: false } : { id: earlier.get(entry.row.dedupeKey!) ?? entry.row.id, duplicate: true },
    );
  }
}
