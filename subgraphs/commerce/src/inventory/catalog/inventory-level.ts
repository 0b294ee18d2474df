import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { ProductVariant } from './product-variant.js';
import { StockLocation } from './stock-location.js';

/** On-hand and reserved units of one variant at one location. */
@Entity({ tableName: 'stock_level' })
@Unique({ properties: ['variant', 'location'] })
@Index({ properties: ['location'] })
export class InventoryLevel {
  [OptionalProps]?: 'quantity' | 'reserved' | 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => ProductVariant, { ref: true })
  variant!: Ref<ProductVariant>;

  @ManyToOne(() => StockLocation, { ref: true })
  location!: Ref<StockLocation>;

  @Property({ type: 'integer' })
  quantity: number = 0;

  @Property({ type: 'integer' })
  reserved: number = 0;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
