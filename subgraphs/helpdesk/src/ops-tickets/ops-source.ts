import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * The failing thing behind an ops ticket: one row (and one ticket) per source key, counted and
 * stamped on every occurrence instead of opening a new ticket each time.
 */
@Entity({ tableName: 'ops_source' })
@ObjectType('OpsSource')
export class OpsSource {
  @PrimaryKey({ type: 'string', length: 64 })
  ticketId!: string;

  /** `<family>|<event subject>`, e.g. `payments.delivery.exhausted|payments:odoo-ack:https://erp.example.com`. */
  @Property({ type: 'string', length: 400, unique: true })
  @Field(() => String)
  sourceKey!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The event type, or `deadletter` for any `<domain>.deadletter`.' })
  family!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Type of the latest occurrence.' })
  eventType!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  occurrenceCount!: number;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  firstSeenAt!: Date;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  lastSeenAt!: Date;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  lastEventId!: string;

  @Property({ type: 'string', length: 500 })
  @Field(() => String, { description: 'The one-line description of the latest occurrence.' })
  lastSummary!: string;

  @Property({ type: 'json', nullable: true })
  @Field(() => GraphQLJSON, { nullable: true, description: 'Everything else the latest event carried.' })
  detail?: Record<string, unknown> | null;
}
