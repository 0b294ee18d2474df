import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { RunRow, RunStatus, RunTrigger } from './background-runs.js';

/**
 * The bookkeeping columns of a background run (import, reconciliation): who started it, how far
 * it got, how it ended. `BackgroundRuns` writes them; each run's table adds what it is about.
 * `Optional` names the subclass's own properties that have initializers.
 */
@Entity({ abstract: true })
export abstract class RunColumns<Optional extends string = never> implements RunRow {
  [OptionalProps]?: 'status' | 'total' | 'processed' | 'summary' | 'error' | 'finishedAt' | 'scheduleSlot' | Optional;

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 20 })
  status: RunStatus = 'running';

  @Property({ type: 'string', length: 20 })
  trigger!: RunTrigger;

  @Property({ type: 'string', length: 200 })
  requestedBy!: string;

  /** Rows to go, when known. */
  @Property({ type: 'integer', nullable: true })
  total?: number | null = null;

  @Property({ type: 'integer' })
  processed: number = 0;

  /** JSON summary (see RunSummary), written when the run ends. */
  @Property({ type: 'text', nullable: true })
  summary?: string | null = null;

  @Property({ type: 'text', nullable: true })
  error?: string | null = null;

  /** `<kind>:<service>:<scheduled minute>` for scheduled runs: one replica runs each slot (`<table>_schedule_slot_unique`). */
  @Property({ type: 'string', length: 200, nullable: true, unique: true })
  scheduleSlot?: string | null = null;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'datetime' })
  heartbeatAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null = null;
}
