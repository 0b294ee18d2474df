/**
 * The commerce subgraph as inventory-sync.ts and prestashop-intake.ts run it: in the benchmark's
 * own process (its CPU time is the script's), on SQLite in a scratch directory or a throwaway
 * PostgreSQL (`db`), with the in-process bus or a throwaway nats-server (`bus`). PostgreSQL and
 * nats-server start with the first service and serve every later one; `stop()` ends them and
 * removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commerce } from '@switchboard/commerce';
import { createLogger, createSubgraphService, InProcessEventBus, NatsEventBus, type EventBus } from '@switchboard/kit';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';

export class CommerceBench {
  private readonly logger = createLogger({ name: 'bench', level: 'warn' });
  private readonly dir: string;
  private postgres: PostgresHandle | undefined;
  private nats: NatsServerHandle | undefined;
  private services = 0;

  constructor(
    name: string,
    private readonly options: { db: string; bus: string },
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `${name}-bench-`));
  }

  /** A started commerce service (a fresh database, its own bus) with `env` on top of the benchmark settings. */
  async startService(env: Record<string, string>) {
    let databaseUrl = `sqlite:${join(this.dir, `commerce-${++this.services}.sqlite`)}`;
    if (this.options.db === 'postgres') {
      this.postgres ??= await startPostgres();
      databaseUrl = await this.postgres.createDatabase('bench');
    }
    let bus: EventBus = new InProcessEventBus();
    if (this.options.bus === 'nats') {
      this.nats ??= await startNats();
      bus = await NatsEventBus.connect({ servers: this.nats.url, name: 'bench', logger: this.logger });
    }
    const service = await createSubgraphService(commerce, {
      bus,
      logger: this.logger,
      env: {
        GATEWAY_SIGNING_SECRET: 'bench-signing-secret-0123456789',
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        ...env,
      },
    });
    await service.start();
    return {
      service,
      bus,
      stop: async () => {
        await service.stop();
        await bus.close();
      },
    };
  }

  async stop(): Promise<void> {
    await this.nats?.stop();
    await this.postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
