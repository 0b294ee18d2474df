import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Product } from './product.js';

/** One SKU of a product: what Odoo knows as a vendor product (`default_code` = SKU). */
@Entity({ tableName: 'catalog_product_variant' })
@Index({ properties: ['product'] })
@ObjectType('ProductVariant')
@Directive('@key(fields: "sku")')
export class ProductVariant {
  [OptionalProps]?: 'id' | 'active' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: string = randomUUID();

  @Unique()
  @Property({ type: 'string', length: 100 })
  @Field(() => String)
  sku!: string;

  @ManyToOne(() => Product, { ref: true })
  product!: Ref<Product>;

  /** The variant's own label ("5mg"); Odoo gets "<product> - <variant>". */
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
