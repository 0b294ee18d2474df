import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Consecutive failed attempts against one external target; drives `commerce.sync.failing`. */
@Entity({ tableName: 'inventory_sync_health' })
export class SyncHealth {
  [OptionalProps]?: 'consecutiveFailures';

  /** Stable source key, also the ops ticket's subject: `inventory-sync:odoo`. */
  @PrimaryKey({ type: 'string', length: 100 })
  source!: string;

  @Property({ type: 'integer' })
  consecutiveFailures: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', nullable: true })
  lastFailureAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastSuccessAt?: Date | null;
}
