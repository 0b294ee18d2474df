import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { LogLevel } from './config.js';

/** The processing log operators read, like the module's ps_odoo_sales_logs (level + context). */
@ObjectType('PrestashopLog')
@Entity({ tableName: 'prestashop_log' })
@Index({ properties: ['level', 'id'] })
export class PrestashopLog {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  @Field(() => ID)
  id!: number;

  @Property({ type: 'string', length: 10 })
  @Field(() => String, { description: 'ERROR, WARNING, INFO or DEBUG.' })
  level!: LogLevel;

  @Property({ type: 'string', length: 500 })
  @Field(() => String)
  message!: string;

  /** JSON object with the details. */
  @Property({ type: 'text', nullable: true })
  context?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, name: 'eventId' })
  sourceEventId?: number | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true })
  batchId?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Field(() => GraphQLJSON, { nullable: true, name: 'context', description: 'The details, as a JSON object.' })
  get contextJson(): unknown {
    return this.context ? JSON.parse(this.context) : null;
  }
}
