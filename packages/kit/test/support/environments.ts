import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { createLogger, InProcessEventBus, NatsEventBus, type EventBus } from '../../src/index.js';

export type BusKind = 'nats' | 'in-process';
export type DbKind = 'sqlite' | 'postgres';

export const quietLogger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Real infrastructure for one test file: a nats-server, a PostgreSQL, a temp dir for SQLite. */
export class TestInfrastructure {
  private nats?: NatsServerHandle;
  private postgres?: PostgresHandle;
  private readonly dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  private readonly buses: EventBus[] = [];
  private counter = 0;

  async bus(kind: BusKind, options: { duplicateWindowMs?: number } = {}): Promise<EventBus> {
    let bus: EventBus;
    if (kind === 'in-process') {
      bus = new InProcessEventBus(options);
    } else {
      this.nats ??= await startNats();
      bus = await NatsEventBus.connect({ servers: this.nats.url, name: 'test', logger: quietLogger, ...options });
    }
    this.buses.push(bus);
    return bus;
  }

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `db-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase('kit');
  }

  async stop(): Promise<void> {
    for (const bus of this.buses.splice(0)) await bus.close().catch(() => undefined);
    await this.nats?.stop();
    await this.postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
