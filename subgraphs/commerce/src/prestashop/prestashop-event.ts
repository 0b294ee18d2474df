import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * Where an event stands. `pending` until processed; then `processed` (applied), `duplicate`
 * (same content as what is already applied), `superseded` (older than data already applied),
 * `consolidated` (a newer event for the same entity and action in the same batch replaced it),
 * `ignored` (no Switchboard meaning) or `failed` (kept for retry, with the error).
 */
export const EVENT_STATUSES = ['pending', 'processed', 'duplicate', 'superseded', 'consolidated', 'ignored', 'failed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** One sales event received from the PrestaShop module, stored before the batch is acknowledged. */
@ObjectType('PrestashopEvent', { description: 'A sales event received from the PrestaShop module, and where it stands.' })
@Entity({ tableName: 'prestashop_event' })
@Index({ properties: ['status', 'id'] })
@Index({ properties: ['entityType', 'entityId'] })
@Index({ properties: ['batchId'] })
export class PrestashopEvent {
  [OptionalProps]?: 'status' | 'attempts' | 'timesReceived' | 'receivedAt' | 'queuedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  @Field(() => ID)
  id!: number;

  /** The module's `event_id` (ps_odoo_sales_events.id_event): the identity of a re-sent event. */
  @Property({ type: 'integer', unique: true })
  @Field(() => Int, { name: 'eventId', description: "The module's event_id." })
  sourceEventId!: number;

  /** The batch that first delivered it. */
  @Property({ type: 'string', length: 100 })
  @Field(() => String)
  batchId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => String)
  entityType!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  entityId!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  entityName?: string | null;

  @Property({ type: 'string', length: 60 })
  @Field(() => String)
  actionType!: string;

  @Property({ type: 'string', length: 120, nullable: true })
  @Field(() => String, { nullable: true })
  hookName?: string | null;

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => String, { nullable: true, description: 'When the hook fired, shop-local as sent.' })
  hookTimestamp?: string | null;

  @Property({ type: 'string', length: 128, nullable: true })
  @Field(() => String, { nullable: true })
  transactionHash?: string | null;

  @Property({ type: 'string', length: 128, nullable: true })
  @Field(() => String, { nullable: true })
  correlationId?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  changeSummary?: string | null;

  /** sha256 of entity, action and data: equal hashes are the same change. */
  @Property({ type: 'string', length: 64 })
  contentHash!: string;

  @Property({ type: 'text', nullable: true })
  beforeData?: string | null;

  @Property({ type: 'text', nullable: true })
  afterData?: string | null;

  @Property({ type: 'text', nullable: true })
  contextData?: string | null;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: 'pending, processed, duplicate, superseded, consolidated, ignored or failed.' })
  status: EventStatus = 'pending';

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  error?: string | null;

  /** Failed processing attempts. */
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Failed processing attempts.' })
  attempts = 0;

  /** How many times the module delivered it (re-sent batches, retries of single events). */
  @Property({ type: 'integer' })
  @Field(() => Int)
  timesReceived = 1;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  receivedAt: Date = new Date();

  /** Last time processing was requested for it (intake, retry, or the stale-event sweep). */
  @Property({ type: 'datetime' })
  @Field(() => Date)
  queuedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  processedAt?: Date | null;

  @Field(() => GraphQLJSON, { nullable: true, name: 'data', description: 'after_data as received (card numbers masked).' })
  get afterDataJson(): unknown {
    return this.afterData ? JSON.parse(this.afterData) : null;
  }

  @Field(() => GraphQLJSON, { nullable: true, name: 'previousData', description: 'before_data, when the module sent it.' })
  get beforeDataJson(): unknown {
    return this.beforeData ? JSON.parse(this.beforeData) : null;
  }

  @Field(() => GraphQLJSON, { nullable: true, name: 'context' })
  get contextDataJson(): unknown {
    return this.contextData ? JSON.parse(this.contextData) : null;
  }
}
