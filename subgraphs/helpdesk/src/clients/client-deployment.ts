import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/**
 * A client deployment (tenant) whose app files tickets: its label, its API key (hashed) and the
 * owner contact used for approvals (the seed's `fusion.helpdesk.client.key`).
 */
@Entity({ tableName: 'helpdesk_client' })
@ObjectType('HelpdeskClient')
export class ClientDeployment {
  [OptionalProps]?: 'active' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => String, { description: 'Upper-case tenant label, e.g. ENTECH.' })
  label!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  /** SHA-256 of the API key; the key itself is shown once, when issued. */
  @Property({ type: 'string', length: 64, unique: true })
  apiKeyHash!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => String, { description: 'The first characters of the key, to tell keys apart.' })
  apiKeyHint!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'Team new in-app tickets go to.' })
  team?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true })
  companyName?: string | null;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true, description: 'Who approves paid work; kept up to date by the app on every submission.' })
  ownerEmail?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true })
  ownerName?: string | null;

  @Property({ type: 'boolean', default: true })
  @Field(() => Boolean)
  active: boolean = true;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  keyIssuedAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
