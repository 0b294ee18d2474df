import { PortableMigration } from '@switchboard/kit';

/** Services and account links, catalog, subscriptions, usage, invoices, webhook messages. */
export class BillingMetering0101 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('billing_service', (t) => {
          t.string('id', 36).primary();
          t.string('code', 50).notNullable().unique({ indexName: 'billing_service_code_unique' });
          t.string('name', 200).notNullable();
          t.string('api_key_hash', 64).notNullable().unique({ indexName: 'billing_service_api_key_hash_unique' });
          t.string('api_key_prefix', 24).notNullable();
          t.text('webhook_url').nullable();
          t.text('webhook_secret_sealed').nullable();
          t.boolean('active').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
        })
        .createTable('billing_account_link', (t) => {
          t.increments('id').primary();
          t.string('service_id', 36).notNullable();
          t.string('external_id', 200).notNullable();
          t.string('email', 254).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'external_id'], { indexName: 'billing_account_link_service_id_external_id_unique' });
          t.index(['email'], 'billing_account_link_email_index');
        })
        .createTable('billing_metric', (t) => {
          t.increments('id').primary();
          t.string('service_id', 36).notNullable();
          t.string('code', 100).notNullable();
          t.string('name', 200).notNullable();
          t.string('aggregation', 20).notNullable();
          t.string('unit_label', 50).notNullable();
          t.string('rounding_mode', 10).notNullable();
          t.integer('rounding_scale').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'code'], { indexName: 'billing_metric_service_id_code_unique' });
        })
        .createTable('billing_plan', (t) => {
          t.increments('id').primary();
          t.string('service_id', 36).notNullable();
          t.string('code', 100).notNullable();
          t.string('name', 200).notNullable();
          t.string('currency', 3).notNullable();
          t.decimal('price_monthly', 18, 2).notNullable();
          t.decimal('price_yearly', 18, 2).nullable();
          t.boolean('active').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'code'], { indexName: 'billing_plan_service_id_code_unique' });
        })
        .createTable('billing_charge', (t) => {
          t.increments('id').primary();
          t.integer('plan_id').notNullable();
          t.integer('metric_id').notNullable();
          t.string('name', 200).notNullable();
          t.string('charge_model', 20).notNullable();
          t.decimal('included_quota', 24, 6).notNullable();
          t.decimal('price_per_unit', 18, 6).notNullable();
          t.decimal('unit_batch', 24, 6).notNullable();
          t.text('tiers').nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['plan_id', 'metric_id'], { indexName: 'billing_charge_plan_id_metric_id_unique' });
        })
        .createTable('billing_subscription', (t) => {
          t.string('id', 36).primary();
          t.string('service_id', 36).notNullable();
          t.string('external_id', 200).notNullable();
          t.integer('account_link_id').notNullable();
          t.string('customer_email', 254).notNullable();
          t.integer('plan_id').notNullable();
          t.string('billing_interval', 10).notNullable();
          t.datetime('anchor_at', { useTz: true }).notNullable();
          t.datetime('current_period_start', { useTz: true }).notNullable();
          t.datetime('current_period_end', { useTz: true }).notNullable();
          t.string('status', 20).notNullable();
          t.boolean('shadow').notNullable();
          t.string('deployment_id', 200).nullable();
          t.datetime('terminated_at', { useTz: true }).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'external_id'], { indexName: 'billing_subscription_service_id_external_id_unique' });
          t.index(['customer_email'], 'billing_subscription_customer_email_index');
          t.index(['status', 'current_period_end'], 'billing_subscription_status_current_period_end_index');
        })
        .createTable('billing_usage_record', (t) => {
          t.bigIncrements('id').primary();
          t.string('subscription_id', 36).notNullable();
          t.integer('metric_id').notNullable();
          t.string('idempotency_key', 200).notNullable();
          t.bigInteger('quantity_micros').notNullable();
          t.string('unique_value', 200).nullable();
          t.datetime('occurred_at', { useTz: true }).notNullable();
          t.datetime('period_start', { useTz: true }).notNullable();
          t.datetime('received_at', { useTz: true }).notNullable();
          t.unique(['subscription_id', 'metric_id', 'idempotency_key'], { indexName: 'billing_usage_record_idempotency_unique' });
        })
        .createTable('billing_usage_total', (t) => {
          t.string('subscription_id', 36).notNullable();
          t.integer('metric_id').notNullable();
          t.datetime('period_start', { useTz: true }).notNullable();
          t.bigInteger('sum_micros').notNullable();
          t.bigInteger('max_micros').notNullable();
          t.bigInteger('record_count').notNullable();
          t.bigInteger('last_micros').notNullable();
          t.datetime('last_occurred_at', { useTz: true }).notNullable();
          t.primary(['subscription_id', 'metric_id', 'period_start']);
        })
        .createTable('billing_threshold_notice', (t) => {
          t.increments('id').primary();
          t.string('subscription_id', 36).notNullable();
          t.integer('metric_id').notNullable();
          t.datetime('period_start', { useTz: true }).notNullable();
          t.integer('threshold').notNullable();
          t.decimal('quantity', 24, 6).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.unique(['subscription_id', 'metric_id', 'period_start', 'threshold'], { indexName: 'billing_threshold_notice_unique' });
        })
        .createTable('billing_invoice', (t) => {
          t.string('id', 36).primary();
          t.string('number', 60).nullable().unique({ indexName: 'billing_invoice_number_unique' });
          t.string('service_id', 36).notNullable();
          t.string('customer_email', 254).notNullable();
          t.string('external_customer_id', 200).notNullable();
          t.string('subscription_id', 36).nullable();
          t.string('kind', 20).notNullable();
          t.string('status', 20).notNullable();
          t.string('currency', 3).notNullable();
          t.datetime('period_start', { useTz: true }).nullable();
          t.datetime('period_end', { useTz: true }).nullable();
          t.decimal('subtotal', 18, 2).notNullable();
          t.decimal('exact_total', 18, 6).notNullable();
          t.decimal('credited_amount', 18, 2).notNullable();
          t.datetime('issued_at', { useTz: true }).nullable();
          t.datetime('paid_at', { useTz: true }).nullable();
          t.datetime('voided_at', { useTz: true }).nullable();
          t.datetime('payment_failed_at', { useTz: true }).nullable();
          t.integer('payment_attempts').notNullable();
          t.text('last_payment_error').nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['subscription_id', 'period_start'], { indexName: 'billing_invoice_subscription_id_period_start_unique' });
          t.index(['customer_email'], 'billing_invoice_customer_email_index');
          t.index(['service_id', 'status'], 'billing_invoice_service_id_status_index');
        })
        .createTable('billing_invoice_line', (t) => {
          t.increments('id').primary();
          t.string('invoice_id', 36).notNullable();
          t.integer('position').notNullable();
          t.string('kind', 20).notNullable();
          t.string('description', 300).notNullable();
          t.integer('charge_id').nullable();
          t.string('metric_code', 100).nullable();
          t.decimal('quantity', 24, 6).notNullable();
          t.decimal('billable_quantity', 24, 6).notNullable();
          t.decimal('unit_price', 18, 6).notNullable();
          t.decimal('exact_amount', 18, 6).notNullable();
          t.decimal('amount', 18, 2).notNullable();
          t.index(['invoice_id'], 'billing_invoice_line_invoice_id_index');
        })
        .createTable('billing_credit_note', (t) => {
          t.string('id', 36).primary();
          t.string('number', 60).notNullable().unique({ indexName: 'billing_credit_note_number_unique' });
          t.string('invoice_id', 36).notNullable();
          t.string('service_id', 36).notNullable();
          t.decimal('amount', 18, 2).notNullable();
          t.string('currency', 3).notNullable();
          t.string('reason', 500).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['invoice_id'], 'billing_credit_note_invoice_id_index');
        })
        .createTable('billing_sequence', (t) => {
          t.string('name', 100).primary();
          t.integer('value').notNullable();
        })
        .createTable('billing_webhook_message', (t) => {
          t.string('id', 64).primary();
          t.string('service_id', 36).notNullable();
          t.string('event_type', 100).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['service_id', 'created_at'], 'billing_webhook_message_service_id_created_at_index');
        }),
    );
  }
}
