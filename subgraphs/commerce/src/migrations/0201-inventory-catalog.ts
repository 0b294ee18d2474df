import { PortableMigration } from '@switchboard/kit';

/** Catalog and stock: products, variants (SKU), locations, on-hand/reserved per variant and location. */
export class InventoryCatalog0201 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('catalog_product', (t) => {
          t.string('id', 36).primary();
          t.string('name', 200).notNullable();
          t.boolean('active').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
        })
        .createTable('catalog_product_variant', (t) => {
          t.string('id', 36).primary();
          t.string('sku', 100).notNullable();
          t.string('product_id', 36).notNullable();
          t.string('name', 200).notNullable();
          t.boolean('active').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['sku'], { indexName: 'catalog_product_variant_sku_unique' });
          t.index(['product_id'], 'catalog_product_variant_product_id_index');
          t.foreign('product_id', 'catalog_product_variant_product_id_foreign').references('id').inTable('catalog_product').onUpdate('cascade');
        })
        .createTable('stock_location', (t) => {
          t.string('id', 36).primary();
          t.string('code', 50).notNullable();
          t.string('name', 200).notNullable();
          t.boolean('active').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['code'], { indexName: 'stock_location_code_unique' });
        })
        .createTable('stock_level', (t) => {
          t.increments('id').primary();
          t.string('variant_id', 36).notNullable();
          t.string('location_id', 36).notNullable();
          t.integer('quantity').notNullable();
          t.integer('reserved').notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['variant_id', 'location_id'], { indexName: 'stock_level_variant_id_location_id_unique' });
          t.index(['location_id'], 'stock_level_location_id_index');
          t.foreign('variant_id', 'stock_level_variant_id_foreign').references('id').inTable('catalog_product_variant').onUpdate('cascade');
          t.foreign('location_id', 'stock_level_location_id_foreign').references('id').inTable('stock_location').onUpdate('cascade');
        }),
    );
  }
}
