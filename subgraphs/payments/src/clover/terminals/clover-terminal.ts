import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A Clover device of a connection, as last synced from the Platform API. */
@Entity({ tableName: 'clover_terminal' })
@Unique({ properties: ['connectionId', 'serial'] })
@Index({ properties: ['connectionId', 'isDefault'] })
@ObjectType('CloverTerminal', { description: 'A Clover device of a connection (REST Pay Display target).' })
export class CloverTerminal {
  [OptionalProps]?: 'isDefault' | 'createdAt' | 'syncedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 36 })
  @Field(() => ID)
  connectionId!: string;

  /** Clover's device id. */
  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  deviceId!: string;

  /** Sent as X-Clover-Device-Id. */
  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  serial!: string;

  /** Our label; a sync keeps a rename. */
  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  model?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  productName?: string | null;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean)
  isDefault = false;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  lastPingAt?: Date | null;

  @Property({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  lastPingOk?: boolean | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  lastPingMessage?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  syncedAt: Date = new Date();

  /** Set when Clover no longer lists the device; it stays for the payments that reference it. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  removedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
