import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A sellable product; its variants carry the SKUs and the stock. */
@Entity({ tableName: 'catalog_product' })
@ObjectType('Product')
export class Product {
  [OptionalProps]?: 'id' | 'active' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  /** Inactive products are never sent to Odoo, whatever their variants say. */
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
