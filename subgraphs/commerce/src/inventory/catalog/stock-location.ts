import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A warehouse or shelf holding stock; only active locations count towards what Odoo is told. */
@Entity({ tableName: 'stock_location' })
@ObjectType('StockLocation')
export class StockLocation {
  [OptionalProps]?: 'id' | 'active' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: string = randomUUID();

  /** Short stable key operators use ("MAIN", "B-SHELF"). */
  @Unique()
  @Property({ type: 'string', length: 50 })
  @Field(() => String)
  code!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'boolean' })
  @Field(() => Boolean)
  active: boolean = true;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
