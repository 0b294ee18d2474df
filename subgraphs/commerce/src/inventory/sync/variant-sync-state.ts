import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Per-variant sync bookkeeping. `waitingJobId` is the one queued job later requests merge into
 * (coalescing: the stock is read when the job runs, so the latest stock is what gets sent);
 * `activeJobId` is a lease that keeps two replicas from syncing the same variant at once, which
 * could let an older stock figure reach Odoo last.
 */
@Entity({ tableName: 'inventory_sync_variant' })
export class VariantSyncState {
  @PrimaryKey({ type: 'string', length: 36 })
  variantId!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  waitingJobId?: string | null;

  @Property({ type: 'string', length: 36, nullable: true })
  activeJobId?: string | null;

  @Property({ type: 'datetime', nullable: true })
  activeSince?: Date | null;

  @Property({ type: 'string', length: 10, nullable: true })
  lastStatus?: 'SUCCESS' | 'FAILED' | null;

  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt?: Date | null;

  /** When Odoo last accepted this variant's stock, and the figure it accepted. */
  @Property({ type: 'datetime', nullable: true })
  lastSyncedAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  lastQuantity?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}
