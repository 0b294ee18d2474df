import { PortableMigration } from '@switchboard/kit';
import { DEFAULT_REVENUE_FAMILY_RULES } from '../ledger/revenue-families.js';

/** The ledger (accounts, journal, invoices, payments, revenue rules), importer runs and reconciliation. */
export class BillingLedger0201 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('billing_ledger_account', (t) => {
          t.increments('id').primary();
          t.string('code', 60).notNullable().unique({ indexName: 'billing_ledger_account_code_unique' });
          t.string('name', 200).notNullable();
          t.string('kind', 20).notNullable();
          t.string('family', 40).nullable();
          t.string('channel', 30).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
        })
        .createTable('billing_journal_entry', (t) => {
          t.string('id', 36).primary();
          t.string('number', 30).notNullable().unique({ indexName: 'billing_journal_entry_number_unique' });
          t.string('source_type', 30).notNullable();
          t.string('source_id', 300).notNullable();
          t.integer('revision').notNullable();
          t.string('description', 300).notNullable();
          t.string('currency', 3).notNullable();
          t.datetime('effective_at', { useTz: true }).notNullable();
          t.datetime('posted_at', { useTz: true }).notNullable();
          t.string('posted_by', 200).notNullable();
          t.string('customer_email', 254).nullable();
          t.string('ledger_invoice_id', 36).nullable();
          t.string('ledger_payment_id', 36).nullable();
          t.string('reverses_entry_id', 36).nullable().unique({ indexName: 'billing_journal_entry_reverses_entry_id_unique' });
          t.unique(['source_type', 'source_id', 'revision'], { indexName: 'billing_journal_entry_source_type_source_id_revision_unique' });
          t.index(['ledger_invoice_id'], 'billing_journal_entry_ledger_invoice_id_index');
          t.index(['ledger_payment_id'], 'billing_journal_entry_ledger_payment_id_index');
          t.index(['customer_email'], 'billing_journal_entry_customer_email_index');
          t.index(['posted_at'], 'billing_journal_entry_posted_at_index');
        })
        .createTable('billing_journal_line', (t) => {
          t.increments('id').primary();
          t.string('entry_id', 36).notNullable();
          t.integer('position').notNullable();
          t.integer('account_id').notNullable();
          t.string('currency', 3).notNullable();
          t.decimal('debit', 18, 2).notNullable();
          t.decimal('credit', 18, 2).notNullable();
          t.string('customer_email', 254).nullable();
          t.string('memo', 300).notNullable();
          t.index(['entry_id'], 'billing_journal_line_entry_id_index');
          t.index(['account_id', 'currency'], 'billing_journal_line_account_id_currency_index');
          t.index(['customer_email', 'currency'], 'billing_journal_line_customer_email_currency_index');
        })
        .createTable('billing_revenue_family_rule', (t) => {
          t.increments('id').primary();
          t.integer('position').notNullable().unique({ indexName: 'billing_revenue_family_rule_position_unique' });
          t.string('family', 40).notNullable();
          t.string('keyword', 200).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.string('updated_by', 200).notNullable();
        })
        .createTable('billing_ledger_invoice', (t) => {
          t.string('id', 36).primary();
          t.string('source_key', 300).notNullable();
          t.string('origin', 10).notNullable();
          t.string('service_id', 36).notNullable();
          t.string('billing_invoice_id', 36).nullable();
          t.string('external_id', 200).nullable();
          t.string('number', 100).nullable();
          t.string('provider_invoice_id', 200).nullable();
          t.string('customer_email', 254).notNullable();
          t.string('external_customer_id', 200).nullable();
          t.string('customer_name', 200).nullable();
          t.string('subscription_external_id', 200).nullable();
          t.datetime('issued_at', { useTz: true }).notNullable();
          t.string('currency', 3).notNullable();
          t.decimal('subtotal', 18, 2).notNullable();
          t.decimal('tax', 18, 2).notNullable();
          t.decimal('total', 18, 2).notNullable();
          t.integer('tax_rate').notNullable();
          t.string('status', 10).notNullable();
          t.string('source_status', 30).nullable();
          t.decimal('source_amount_paid', 18, 2).nullable();
          t.datetime('source_paid_at', { useTz: true }).nullable();
          t.text('flags').notNullable();
          t.text('problems').notNullable();
          t.string('fingerprint', 64).notNullable();
          t.datetime('upstream_changed_at', { useTz: true }).nullable();
          t.string('entry_id', 36).nullable();
          t.integer('revision').notNullable();
          t.datetime('posted_at', { useTz: true }).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['source_key'], { indexName: 'billing_ledger_invoice_source_key_unique' });
          t.index(['service_id', 'status'], 'billing_ledger_invoice_service_id_status_index');
          t.index(['customer_email'], 'billing_ledger_invoice_customer_email_index');
          t.index(['billing_invoice_id'], 'billing_ledger_invoice_billing_invoice_id_index');
          t.index(['external_id'], 'billing_ledger_invoice_external_id_index');
          t.index(['number'], 'billing_ledger_invoice_number_index');
          t.index(['provider_invoice_id'], 'billing_ledger_invoice_provider_invoice_id_index');
        })
        .createTable('billing_ledger_invoice_line', (t) => {
          t.increments('id').primary();
          t.string('invoice_id', 36).notNullable();
          t.integer('position').notNullable();
          t.string('description', 500).notNullable();
          t.decimal('quantity', 24, 6).notNullable();
          t.decimal('unit_price', 18, 6).notNullable();
          t.decimal('amount', 18, 6).notNullable();
          t.string('family', 40).notNullable();
          t.boolean('family_matched').notNullable();
          t.datetime('period_start', { useTz: true }).nullable();
          t.index(['invoice_id'], 'billing_ledger_invoice_line_invoice_id_index');
        })
        .createTable('billing_ledger_payment', (t) => {
          t.string('id', 36).primary();
          t.string('source_key', 300).notNullable();
          t.string('payment_id', 64).nullable();
          t.string('kind', 10).notNullable();
          t.string('provider', 30).notNullable();
          t.decimal('amount', 18, 2).notNullable();
          t.string('currency', 3).notNullable();
          t.string('status', 10).notNullable();
          t.string('ledger_invoice_id', 36).nullable();
          t.string('invoice_reference', 200).nullable();
          t.string('order_id', 64).nullable();
          t.string('customer_email', 254).nullable();
          t.string('charge_id', 200).nullable();
          t.string('unmatched_reason', 300).nullable();
          t.datetime('occurred_at', { useTz: true }).notNullable();
          t.string('entry_id', 36).notNullable();
          t.string('apply_entry_id', 36).nullable();
          t.datetime('applied_at', { useTz: true }).nullable();
          t.string('applied_by', 200).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.unique(['source_key'], { indexName: 'billing_ledger_payment_source_key_unique' });
          t.index(['ledger_invoice_id'], 'billing_ledger_payment_ledger_invoice_id_index');
          t.index(['status', 'occurred_at'], 'billing_ledger_payment_status_occurred_at_index');
          t.index(['payment_id'], 'billing_ledger_payment_payment_id_index');
        })
        .createTable('billing_import_run', (t) => {
          t.string('id', 36).primary();
          t.string('service_id', 36).notNullable();
          t.string('service_code', 50).notNullable();
          t.string('kind', 20).notNullable();
          t.boolean('dry_run').notNullable();
          t.text('options').notNullable();
          t.string('status', 20).notNullable();
          t.string('trigger', 20).notNullable();
          t.string('requested_by', 200).notNullable();
          t.integer('total').nullable();
          t.integer('processed').notNullable();
          t.text('summary').nullable();
          t.text('error').nullable();
          t.string('schedule_slot', 200).nullable().unique({ indexName: 'billing_import_run_schedule_slot_unique' });
          t.datetime('started_at', { useTz: true }).notNullable();
          t.datetime('heartbeat_at', { useTz: true }).notNullable();
          t.datetime('finished_at', { useTz: true }).nullable();
          t.index(['service_id', 'started_at'], 'billing_import_run_service_id_started_at_index');
          t.index(['status'], 'billing_import_run_status_index');
        })
        .createTable('billing_source_customer', (t) => {
          t.increments('id').primary();
          t.string('service_id', 36).notNullable();
          t.string('external_id', 200).notNullable();
          t.string('email', 254).notNullable();
          t.string('full_name', 200).nullable();
          t.string('company', 200).nullable();
          t.string('billing_address', 300).nullable();
          t.string('billing_city', 120).nullable();
          t.string('billing_state', 120).nullable();
          t.string('billing_postal_code', 30).nullable();
          t.string('billing_country', 120).nullable();
          t.string('tax_id', 60).nullable();
          t.string('provider_customer_id', 200).nullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'external_id'], { indexName: 'billing_source_customer_service_id_external_id_unique' });
        })
        .createTable('billing_reconciliation_run', (t) => {
          t.string('id', 36).primary();
          t.string('kind', 20).notNullable();
          t.string('service_id', 36).nullable();
          t.string('service_code', 50).nullable();
          t.string('period', 7).nullable();
          t.decimal('tolerance', 18, 6).notNullable();
          t.string('status', 20).notNullable();
          t.string('trigger', 20).notNullable();
          t.string('requested_by', 200).notNullable();
          t.integer('total').nullable();
          t.integer('processed').notNullable();
          t.text('summary').nullable();
          t.text('error').nullable();
          t.string('schedule_slot', 200).nullable().unique({ indexName: 'billing_reconciliation_run_schedule_slot_unique' });
          t.datetime('started_at', { useTz: true }).notNullable();
          t.datetime('heartbeat_at', { useTz: true }).notNullable();
          t.datetime('finished_at', { useTz: true }).nullable();
          t.index(['kind', 'started_at'], 'billing_reconciliation_run_kind_started_at_index');
          t.index(['status'], 'billing_reconciliation_run_status_index');
        })
        .createTable('billing_reconciliation_item', (t) => {
          t.increments('id').primary();
          t.string('service_id', 36).notNullable();
          t.string('subscription_external_id', 200).notNullable();
          t.string('period', 7).notNullable();
          t.string('subscription_id', 36).nullable();
          t.string('customer_email', 254).nullable();
          t.string('currency', 3).notNullable();
          t.decimal('usage_quantity', 24, 6).notNullable();
          t.decimal('flat_amount', 18, 6).notNullable();
          t.decimal('overage_amount', 18, 6).notNullable();
          t.decimal('computed_amount', 18, 6).notNullable();
          t.decimal('external_amount', 18, 6).notNullable();
          t.decimal('delta', 18, 6).notNullable();
          t.integer('external_invoice_count').notNullable();
          t.string('status', 10).notNullable();
          t.text('note').nullable();
          t.string('resolved_by', 200).nullable();
          t.datetime('resolved_at', { useTz: true }).nullable();
          t.string('last_run_id', 36).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['service_id', 'subscription_external_id', 'period'], { indexName: 'billing_reconciliation_item_key_unique' });
          t.index(['status', 'period'], 'billing_reconciliation_item_status_period_index');
        })
        .createTable('billing_payment_match', (t) => {
          t.increments('id').primary();
          t.string('run_id', 36).notNullable();
          t.string('kind', 20).notNullable();
          t.string('ledger_payment_id', 36).nullable();
          t.string('ledger_invoice_id', 36).nullable();
          t.string('method', 20).nullable();
          t.decimal('amount', 18, 2).notNullable();
          t.string('currency', 3).notNullable();
          t.string('reason', 300).nullable();
          t.index(['run_id', 'kind'], 'billing_payment_match_run_id_kind_index');
        }),
    );
    // The seed's rules, editable from then on (GraphQL replaceRevenueFamilyRules).
    const now = this.dialect === 'sqlite' ? Date.now() : new Date().toISOString();
    const knex = this.getKnex();
    this.addSql(knex('billing_revenue_family_rule').insert(DEFAULT_REVENUE_FAMILY_RULES.map((rule, index) => ({
      position: index + 1, family: rule.family, keyword: rule.keyword, updated_at: now, updated_by: 'system',
    }))).toQuery());
  }
}
