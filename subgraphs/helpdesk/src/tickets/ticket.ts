import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A helpdesk ticket. Helpdesk owns the federated `Ticket` entity. */
@Entity({ tableName: 'ticket' })
@Index({ properties: ['customerEmail', 'createdAt'] })
@ObjectType('Ticket')
@Directive('@key(fields: "id")')
export class Ticket {
  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 20, unique: true })
  @Field(() => String, { description: 'Human reference, e.g. HD-000042.' })
  reference!: string;

  @Property({ type: 'string', length: 300 })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`bug`, `feature`, `question` or `ops`.' })
  kind!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: '`new`, `in_progress`, `waiting`, `solved` or `cancelled`.' })
  stage!: string;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}

export const OPEN_STAGES = ['new', 'in_progress', 'waiting'];
