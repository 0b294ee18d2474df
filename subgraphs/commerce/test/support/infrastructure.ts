import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessEventBus, NatsEventBus, type EventBus, type Logger } from '@switchboard/kit';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';

export type BusKind = 'nats' | 'in-process';
export type DbKind = 'sqlite' | 'postgres';

/**
 * Real infrastructure for one test file: nats-server, PostgreSQL and a folder of SQLite files,
 * each started on first use, so a describe block skipped by a filter starts none of them.
 */
export class TestInfrastructure {
  private nats?: NatsServerHandle;
  private postgres?: PostgresHandle;
  private folder?: string;
  private readonly buses: EventBus[] = [];
  private counter = 0;

  /** `name` labels the NATS connections, the temporary folder and the PostgreSQL databases. */
  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** A temporary folder for this file, removed by stop(). */
  get dir(): string {
    this.folder ??= mkdtempSync(join(tmpdir(), `${this.name}-test-`));
    return this.folder;
  }

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `commerce-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase(this.name);
  }

  async natsUrl(): Promise<string> {
    this.nats ??= await startNats();
    return this.nats.url;
  }

  async bus(kind: BusKind): Promise<EventBus> {
    const bus = kind === 'in-process'
      ? new InProcessEventBus()
      : await NatsEventBus.connect({ servers: await this.natsUrl(), name: `${this.name}-test`, logger: this.logger });
    this.buses.push(bus);
    return bus;
  }

  async stop(): Promise<void> {
    for (const bus of this.buses.splice(0)) await bus.close().catch(() => undefined);
    await this.nats?.stop();
    await this.postgres?.stop();
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }
}
