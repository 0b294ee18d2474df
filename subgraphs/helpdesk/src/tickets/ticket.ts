import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A helpdesk ticket. Helpdesk owns the federated `Ticket` entity. Computed fields (title,
 * reporter, messages, approval, ops source, links) are added by `TicketResolver`.
 */
@Entity({ tableName: 'ticket' })
@Index({ properties: ['customerEmail', 'createdAt'] })
@Index({ properties: ['clientLabel', 'customerEmail'] })
@Unique({ properties: ['clientLabel', 'clientRequestKey'] })
@ObjectType('Ticket')
@Directive('@key(fields: "id")')
export class Ticket {
  [OptionalProps]?: 'createdAt' | 'priority' | 'channel' | 'approvalState';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 20, unique: true })
  @Field(() => String, { description: 'Human reference, e.g. HD-000042.' })
  reference!: string;

  @Property({ type: 'string', length: 300 })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Sanitized HTML.' })
  description?: string | null;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`bug`, `feature`, `question` or `ops`.' })
  kind!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`new`, `in_progress`, `waiting`, `solved` or `cancelled`.' })
  stage!: string;

  @Property({ type: 'string', length: 20, default: 'normal' })
  @Field(() => String, { description: '`low`, `normal`, `high` or `urgent`.' })
  priority: string = 'normal';

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  team?: string | null;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true, description: 'The agent working the ticket.' })
  assignee?: string | null;

  @Property({ type: 'string', length: 20, default: 'support' })
  @Field(() => String, { description: 'Where it came from: `app` (a client deployment), `support` (an agent) or `ops` (an event).' })
  channel: string = 'support';

  @Property({ type: 'string', length: 40, nullable: true })
  @Field(() => String, { nullable: true, description: 'The client deployment (tenant) an in-app ticket came from, e.g. ENTECH.' })
  clientLabel?: string | null;

  /** The reporter's e-mail, normalized: the federated Customer key. */
  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  reporterName?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  reporterCompany?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  orderId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  invoiceId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  paymentId?: string | null;

  /** The client app's idempotency key for a submission (unique per label). */
  @Property({ type: 'string', length: 200, nullable: true })
  clientRequestKey?: string | null;

  @Property({ type: 'string', length: 20, default: 'none' })
  @Field(() => String, { description: 'Owner approval: `none`, `pending`, `approved` or `rejected`.' })
  approvalState: string = 'none';

  /** Latest public message from support (agents, the owner's decision): drives "unread" for reporters. */
  @Property({ type: 'integer', nullable: true })
  lastSupportMessageId?: number | null;

  /** Latest public message from the reporter's side: drives "unread" for agents. */
  @Property({ type: 'integer', nullable: true })
  lastCustomerMessageId?: number | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  /** Last change a reader would care about (a message, a stage change). */
  @Property({ type: 'datetime', nullable: true })
  updatedAt?: Date | null;
}
