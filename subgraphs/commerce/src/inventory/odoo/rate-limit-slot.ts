import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One call slot of the shared rate limiter. `busyUntilUs` (µs since the epoch, database clock) is
 * when the slot's last call ended, or, while a call is in flight, when its lease runs out.
 */
@Entity({ tableName: 'inventory_rate_slot' })
@Index({ properties: ['key', 'busyUntilUs'] })
export class RateLimitSlot {
  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  @PrimaryKey({ type: 'integer' })
  slot!: number;

  @Property({ type: 'bigint' })
  busyUntilUs!: string;
}
