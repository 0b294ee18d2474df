import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A batch the module delivered; a re-sent batch_id counts another receipt. */
@Entity({ tableName: 'prestashop_batch' })
export class PrestashopBatch {
  [OptionalProps]?: 'timesReceived' | 'firstReceivedAt' | 'lastReceivedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 100, unique: true })
  batchId!: string;

  /** The module's `timestamp`, shop-local, as sent. */
  @Property({ type: 'string', length: 40, nullable: true })
  sentAt?: string | null;

  @Property({ type: 'integer' })
  eventCount!: number;

  /** Events this batch delivered for the first time (the rest were re-sends). */
  @Property({ type: 'integer' })
  newEventCount!: number;

  @Property({ type: 'integer' })
  timesReceived = 1;

  @Property({ type: 'datetime' })
  firstReceivedAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastReceivedAt: Date = new Date();
}
