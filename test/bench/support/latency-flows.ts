/**
 * The flows test/bench/event-latency.ts measures: a webhook accepted by one service, its event
 * relayed through the outbox and NATS JetStream, and a consumer committing the effect. Each flow
 * says which service to run, what its requests look like, how the benchmark hears the effect's
 * commit (a trigger that NOTIFYs from the committing transaction) and where its stage times are.
 */
import type pg from 'pg';

export const FLOWS = ['prestashop', 'clover'] as const;
export type FlowName = (typeof FLOWS)[number];

export const PRESTASHOP_LATENCY_SECRET = 'bench-latency-prestashop-secret-0123';
export const CLOVER_LATENCY_APP_SECRET = 'bench-latency-clover-app-secret-01234';

/** When each stage happened, on the service's clock (milliseconds since the epoch). */
export interface StageTimes {
  /** Intake stored the request. */
  receivedAt?: number;
  /** The outbox row was written (in the intake's transaction). */
  outboxAt?: number;
  /** The relay had JetStream's acknowledgement of the publish. */
  publishedAt?: number;
  /** The consumer began on it. */
  processingAt?: number;
}

export interface LatencyFlow {
  name: FlowName;
  title: string;
  /** The service that takes the webhook and runs the consumer. */
  service: 'commerce' | 'payments';
  path: string;
  env: Record<string, string>;
  /** Installs the trigger that NOTIFYs `bench_effect` with the request's key when the effect commits. */
  trigger: string;
  /** What "processing began" is for this flow. */
  processingLabel: string;
  stages(client: pg.Client, keys: string[]): Promise<Map<string, StageTimes>>;
}

const ms = (value: string | null | undefined) => (value === null || value === undefined ? undefined : Number(value));

export const LATENCY_FLOWS: Record<FlowName, LatencyFlow> = {
  prestashop: {
    name: 'prestashop',
    title: "PrestaShop webhook (one event) → commerce's prestashop-processing consumer applies it (customer, order, payment…)",
    service: 'commerce',
    path: '/prestashop/webhook',
    env: { PRESTASHOP_WEBHOOK_SECRET: PRESTASHOP_LATENCY_SECRET },
    trigger: `
      create or replace function bench_effect_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('bench_effect', new.source_event_id::text);
        return null;
      end $$;
      drop trigger if exists bench_effect on prestashop_event;
      create trigger bench_effect after update of status on prestashop_event
        for each row when (old.status = 'pending' and new.status <> 'pending') execute function bench_effect_notify();`,
    processingLabel: 'processing run began (apply)',
    async stages(client, keys) {
      const times = new Map<string, StageTimes>();
      const events = await client.query<{ id: string; received: string; processed: string | null }>(
        `select source_event_id::text as id, extract(epoch from received_at) * 1000 as received, extract(epoch from processed_at) * 1000 as processed
           from prestashop_event where source_event_id = any($1::bigint[])`,
        [keys],
      );
      for (const row of events.rows) times.set(row.id, { receivedAt: ms(row.received), processingAt: ms(row.processed) });
      const outbox = await client.query<{ created: string; published: string | null; ids: string[] }>(
        `select extract(epoch from created_at) * 1000 as created, extract(epoch from published_at) * 1000 as published,
                array(select json_array_elements_text(envelope::json -> 'data' -> 'sourceEventIds')) as ids
           from outbox_event where type = 'commerce.prestashop.batch_received'`,
      );
      for (const row of outbox.rows) {
        for (const id of row.ids) {
          const entry = times.get(id);
          if (entry) Object.assign(entry, { outboxAt: ms(row.created), publishedAt: ms(row.published) });
        }
      }
      return times;
    },
  },
  clover: {
    name: 'clover',
    title: "Clover webhook (a payment's change, merchant not connected) → payments' clover-webhook-processor claims it and records the outcome",
    service: 'payments',
    path: '/payment/clover/webhook',
    env: {
      CLOVER_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      CLOVER_DISPATCHER_SECRET: 'bench-dispatcher-secret-00000000',
      CLOVER_WEBHOOK_APP_SECRET: CLOVER_LATENCY_APP_SECRET,
    },
    trigger: `
      create or replace function bench_effect_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('bench_effect', new.id);
        return null;
      end $$;
      drop trigger if exists bench_effect on clover_webhook;
      create trigger bench_effect after update of processing_status on clover_webhook
        for each row when (new.processing_status = 'processed' and old.processing_status is distinct from 'processed') execute function bench_effect_notify();`,
    processingLabel: 'processor claimed the webhook',
    async stages(client, keys) {
      const times = new Map<string, StageTimes>();
      const rows = await client.query<{ id: string; received: string; started: string | null }>(
        `select id, extract(epoch from received_at) * 1000 as received, extract(epoch from processing_started_at) * 1000 as started
           from clover_webhook where id = any($1::text[])`,
        [keys],
      );
      for (const row of rows.rows) times.set(row.id, { receivedAt: ms(row.received), processingAt: ms(row.started) });
      const outbox = await client.query<{ id: string; created: string; published: string | null }>(
        `select envelope::json -> 'data' ->> 'webhookId' as id, extract(epoch from created_at) * 1000 as created, extract(epoch from published_at) * 1000 as published
           from outbox_event where type = 'payments.clover.webhook.received'`,
      );
      for (const row of outbox.rows) {
        const entry = times.get(row.id);
        if (entry) Object.assign(entry, { outboxAt: ms(row.created), publishedAt: ms(row.published) });
      }
      return times;
    },
  },
};
