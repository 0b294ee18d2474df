import type { EventBus } from '@switchboard/kit';
import { startPostgres, type PostgresHandle } from '@switchboard/testkit';
import { afterAll, beforeAll } from 'vitest';
import { Infrastructure, startBilling, type BillingUnderTest, type DbKind } from '../../support/billing-harness.js';
import { AppSource } from './app-source.js';
import { registerService } from './ledger-harness.js';

/** What `billingWithAppSource` starts; every field but `infra` is set once its `beforeAll` has run. */
export interface BillingWithAppSource {
  readonly infra: Infrastructure;
  postgres: PostgresHandle;
  /** The app's own database, on its own PostgreSQL. */
  source: AppSource;
  bus: EventBus;
  /** Billing with the `nexacloud` service registered (no catalog: the importer brings it). */
  billing: BillingUnderTest;
}

export interface BillingWithAppSourceOptions {
  bus?: 'in-process' | 'nats';
  /** Billing's environment; it runs before billing starts, so it may also fill the source first. */
  env: (app: { source: AppSource; postgres: PostgresHandle }) => Record<string, string> | Promise<Record<string, string>>;
}

/**
 * For the enclosing describe block: an app's database on a real PostgreSQL and billing (on `db`)
 * reading it, started before the block's tests and stopped after them.
 */
export function billingWithAppSource(db: DbKind, options: BillingWithAppSourceOptions): BillingWithAppSource {
  const app = { infra: new Infrastructure() } as BillingWithAppSource;
  beforeAll(async () => {
    app.postgres = await startPostgres();
    app.source = await AppSource.create(app.postgres);
    const env = await options.env(app);
    app.bus = await app.infra.bus(options.bus);
    app.billing = await startBilling({ databaseUrl: await app.infra.databaseUrl(db), bus: app.bus, env });
    await registerService(app.billing);
  });
  afterAll(async () => {
    await app.billing?.stop();
    await app.source?.close();
    await app.postgres?.stop();
    await app.infra.stop();
  });
  return app;
}
