import { PortableMigration } from '@switchboard/kit';

const amount = 20;
const scale = 6;

/** Orders from the shop with their lines, state history, payments, messages and invoices. */
export class ShopOrders0103 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('shop_order', (t) => {
          t.string('id', 40).primary();
          t.integer('prestashop_order_id').notNullable();
          t.string('reference', 64).notNullable();
          t.integer('account_id').nullable();
          t.string('customer_email', 254).nullable();
          t.integer('cart_id').nullable();
          t.integer('state_id').nullable();
          t.string('state_name', 128).nullable();
          t.string('currency', 3).notNullable();
          for (const column of [
            'total_paid_tax_incl',
            'total_paid_tax_excl',
            'total_products_tax_excl',
            'total_products_tax_incl',
            'total_discounts_tax_incl',
            'total_discounts_tax_excl',
            'total_shipping_tax_incl',
            'total_shipping_tax_excl',
            'total_wrapping_tax_incl',
            'total_wrapping_tax_excl',
            'conversion_rate',
          ]) {
            t.decimal(column, amount, scale).nullable();
          }
          t.string('payment_method', 255).nullable();
          t.string('payment_module', 255).nullable();
          t.integer('carrier_id').nullable();
          t.string('shipping_number', 64).nullable();
          t.text('note').nullable();
          t.datetime('placed_at', { useTz: true }).notNullable();
          t.datetime('shop_updated_at', { useTz: true }).nullable();
          t.datetime('shipped_at', { useTz: true }).nullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.string('data_hash', 64).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['prestashop_order_id'], { indexName: 'shop_order_prestashop_order_id_unique' });
          t.index(['placed_at', 'id'], 'shop_order_placed_at_id_index');
          t.index(['customer_email'], 'shop_order_customer_email_index');
          t.index(['reference'], 'shop_order_reference_index');
          t.index(['account_id'], 'shop_order_account_id_index');
          t.index(['cart_id'], 'shop_order_cart_id_index');
        })
        .createTable('order_line', (t) => {
          t.string('id', 80).primary();
          t.string('order_id', 40).notNullable();
          t.integer('position').notNullable();
          t.integer('order_detail_id').nullable();
          t.integer('product_id').notNullable();
          t.integer('variant_id').nullable();
          t.string('sku', 64).nullable();
          t.string('ean13', 20).nullable();
          t.string('name', 255).notNullable();
          t.integer('quantity').notNullable();
          t.integer('quantity_refunded').notNullable();
          t.integer('quantity_returned').notNullable();
          t.string('currency', 3).notNullable();
          for (const column of [
            'unit_price_tax_excl',
            'unit_price_tax_incl',
            'total_price_tax_excl',
            'total_price_tax_incl',
            'tax_amount',
            'tax_rate',
            'reduction_percent',
          ]) {
            t.decimal(column, amount, scale).nullable();
          }
          t.text('data').notNullable();
          t.index(['order_id', 'position'], 'order_line_order_id_position_index');
        })
        .createTable('order_status_change', (t) => {
          t.integer('id').primary();
          t.string('order_id', 40).notNullable();
          t.integer('state_id').notNullable();
          t.string('state_name', 128).nullable();
          t.integer('employee_id').nullable();
          t.datetime('changed_at', { useTz: true }).nullable();
          t.index(['order_id'], 'order_status_change_order_id_index');
        })
        .createTable('order_payment', (t) => {
          t.integer('id').primary();
          t.string('order_reference', 64).notNullable();
          t.string('currency', 3).nullable();
          t.decimal('amount', amount, scale).notNullable();
          t.string('payment_method', 255).nullable();
          t.string('transaction_id', 255).nullable();
          t.string('card_brand', 64).nullable();
          t.string('card_last_four', 4).nullable();
          t.string('card_expiration', 16).nullable();
          t.string('card_holder', 255).nullable();
          t.datetime('paid_at', { useTz: true }).nullable();
          t.decimal('conversion_rate', amount, scale).nullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.index(['order_reference'], 'order_payment_order_reference_index');
          t.index(['transaction_id'], 'order_payment_transaction_id_index');
        })
        .createTable('order_message', (t) => {
          t.integer('id').primary();
          t.string('order_id', 40).notNullable();
          t.integer('account_id').nullable();
          t.text('message').notNullable();
          t.boolean('private').notNullable();
          t.datetime('sent_at', { useTz: true }).nullable();
          t.index(['order_id'], 'order_message_order_id_index');
        })
        .createTable('order_invoice', (t) => {
          t.integer('id').primary();
          t.string('order_id', 40).notNullable();
          t.string('number', 32).nullable();
          t.decimal('total_paid_tax_incl', amount, scale).nullable();
          t.decimal('total_paid_tax_excl', amount, scale).nullable();
          t.datetime('issued_at', { useTz: true }).nullable();
          t.text('lines').nullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.index(['order_id'], 'order_invoice_order_id_index');
        }),
    );
  }
}
