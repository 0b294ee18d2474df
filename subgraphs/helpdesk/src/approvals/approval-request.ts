import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

export type ApprovalRequestState = 'pending' | 'approved' | 'rejected' | 'superseded';

/**
 * One round of owner approval for one ticket (seed §2.2 "engagement"). The owner's contact and
 * the summary are snapshots: later edits of the client's settings do not rewrite history.
 * Re-engaging supersedes the pending round, whose links die with it.
 */
@Entity({ tableName: 'approval_request' })
@Index({ properties: ['ticketId', 'requestedAt'] })
@Index({ properties: ['state', 'requestedAt'] })
@ObjectType('ApprovalRequest')
export class ApprovalRequest {
  [OptionalProps]?: 'state';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  ticketId!: string;

  /** Requests sent together in one e-mail (bulk) share a batch; reminders go out per batch. */
  @Property({ type: 'string', length: 64, index: true })
  @Field(() => String)
  batchId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => String)
  clientLabel!: string;

  @Property({ type: 'string', length: 254 })
  @Field(() => String)
  ownerEmail!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true })
  ownerName?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'As sent; read-only once sent.' })
  summary?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  personalNote?: string | null;

  @Property({ type: 'string', length: 20, default: 'pending' })
  @Field(() => String, { description: '`pending`, `approved`, `rejected` or `superseded` (re-engaged before a decision).' })
  state: ApprovalRequestState = 'pending';

  @Property({ type: 'string', length: 254 })
  @Field(() => String)
  requestedBy!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  requestedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  remindedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  decisionComment?: string | null;
}
