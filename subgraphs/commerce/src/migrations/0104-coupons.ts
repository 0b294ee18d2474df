import { PortableMigration } from '@switchboard/kit';

/** Coupons (cart rules and specific prices), their usage on carts, and order ↔ coupon links. */
export class Coupons0104 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('coupon', (t) => {
          t.string('id', 40).primary();
          t.string('source', 20).notNullable();
          t.integer('prestashop_id').notNullable();
          t.string('code', 254).nullable();
          t.string('name', 255).nullable();
          t.text('description').nullable();
          t.integer('account_id').nullable();
          t.datetime('valid_from', { useTz: true }).nullable();
          t.datetime('valid_to', { useTz: true }).nullable();
          t.integer('quantity').nullable();
          t.integer('quantity_per_user').nullable();
          t.integer('priority').nullable();
          t.boolean('partial_use').nullable();
          t.decimal('minimum_amount', 20, 6).nullable();
          t.integer('minimum_amount_currency_id').nullable();
          t.boolean('minimum_amount_tax_included').nullable();
          t.boolean('free_shipping').nullable();
          t.decimal('reduction_percent', 20, 6).nullable();
          t.decimal('reduction_amount', 20, 6).nullable();
          t.integer('reduction_currency_id').nullable();
          t.boolean('reduction_tax_included').nullable();
          t.integer('reduction_product_id').nullable();
          t.integer('gift_product_id').nullable();
          t.boolean('highlight').nullable();
          t.boolean('active').nullable();
          t.datetime('deleted_at', { useTz: true }).nullable();
          t.text('data').notNullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.index(['code'], 'coupon_code_index');
        })
        .createTable('coupon_usage', (t) => {
          t.increments('id').primary();
          t.string('coupon_id', 40).notNullable();
          t.integer('cart_id').notNullable();
          t.string('action', 20).notNullable();
          t.integer('prestashop_order_id').nullable();
          t.string('order_reference', 64).nullable();
          t.integer('account_id').nullable();
          t.datetime('occurred_at', { useTz: true }).notNullable();
          t.integer('source_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.datetime('recorded_at', { useTz: true }).notNullable();
          t.unique(['source_event_id'], { indexName: 'coupon_usage_source_event_id_unique' });
          t.index(['coupon_id', 'cart_id'], 'coupon_usage_coupon_id_cart_id_index');
          t.index(['cart_id'], 'coupon_usage_cart_id_index');
        })
        .createTable('order_coupon', (t) => {
          t.string('id', 90).primary();
          t.string('order_id', 40).notNullable();
          t.string('coupon_id', 40).notNullable();
          t.integer('cart_id').nullable();
          t.datetime('linked_at', { useTz: true }).notNullable();
          t.index(['order_id'], 'order_coupon_order_id_index');
          t.index(['coupon_id'], 'order_coupon_coupon_id_index');
        }),
    );
  }
}
