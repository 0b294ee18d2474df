import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

export type MailStatus = 'pending' | 'in_flight' | 'sent' | 'failed' | 'cancelled';
export const FINAL_MAIL_STATUSES: readonly MailStatus[] = ['sent', 'failed', 'cancelled'];

/**
 * An e-mail in the helpdesk's mail outbox: written in the same transaction as whatever caused it,
 * then sent over SMTP by the mail worker with retries. Nothing is sent from a request path.
 */
@Entity({ tableName: 'outgoing_mail' })
@Index({ properties: ['status', 'createdAt'] })
@Index({ properties: ['ticketId'] })
@ObjectType('HelpdeskMail')
export class OutgoingMail {
  [OptionalProps]?: 'status' | 'attempts' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => String, { description: '`acknowledgement`, `reply`, `access_link`, `approval_request` or `approval_reminder`.' })
  purpose!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  ticketId?: string | null;

  /** At most one mail per key (e.g. one acknowledgement per ticket), whatever replays happen. */
  @Property({ type: 'string', length: 200, nullable: true, unique: true })
  dedupeKey?: string | null;

  @Property({ type: 'string', length: 320 })
  @Field(() => String)
  fromAddress!: string;

  @Property({ type: 'string', length: 254 })
  @Field(() => String)
  toAddress!: string;

  @Property({ type: 'string', length: 320, nullable: true })
  replyTo?: string | null;

  @Property({ type: 'string', length: 400 })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'text' })
  html!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'string', length: 20, default: 'pending' })
  @Field(() => String, { description: '`pending`, `in_flight`, `sent`, `failed` or `cancelled`.' })
  status: MailStatus = 'pending';

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int)
  attempts: number = 0;

  @Property({ type: 'integer' })
  @Field(() => Int)
  maxAttempts!: number;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  lastError?: string | null;

  @Property({ type: 'string', length: 300, nullable: true })
  smtpMessageId?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  sentAt?: Date | null;
}
