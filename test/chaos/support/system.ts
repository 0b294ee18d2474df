import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDENTITY_HEADER, signIdentity } from '@switchboard/kit';
import {
  freePort,
  processAlive,
  registerProcessCleanup,
  sleepSync,
  startNats,
  startOdooWebhookReceiver,
  startPostgresCluster,
  startSmtpSink,
  startWexEmulator,
  stopNatsServer,
  type NatsServerHandle,
  type OdooWebhookReceiver,
  type PostgresCluster,
  type SmtpSink,
  type WexEmulator,
} from '@switchboard/testkit';
import { Reaper } from './reaper.js';
import { SubgraphProcess } from './subgraph-process.js';

export const SERVICES = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Secrets of this run (random: nothing here is meant to outlive it). */
export const secrets = {
  signing: randomBytes(24).toString('hex'),
  wexToken: randomBytes(16).toString('hex'),
  prestashop: randomBytes(16).toString('hex'),
  cloverApp: randomBytes(16).toString('hex'),
};

const key32 = () => randomBytes(32).toString('base64');

/** Production settings of each service, plus what points it at this run's infrastructure and emulators. */
function serviceEnv(name: ServiceName, infra: { natsUrl: string; databaseUrl: string; wex: WexEmulator; odoo: OdooWebhookReceiver; smtp: SmtpSink }) {
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    NATS_URL: infra.natsUrl,
    DATABASE_URL: infra.databaseUrl,
    GATEWAY_SIGNING_SECRET: secrets.signing,
    SHUTDOWN_TIMEOUT_MS: '20000',
    // The emulators listen on loopback.
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
  };
  switch (name) {
    case 'payments':
      return {
        ...common,
        AUTH_TOKEN: secrets.wexToken,
        WEBHOOK_URL: infra.odoo.url,
        WEX_API_URL: infra.wex.url,
        WEX_USERNAME: infra.wex.username,
        WEX_PASSWORD: infra.wex.password,
        WEX_CARD_ENCRYPTION_KEY: key32(),
        // A call cut short by a kill is given up (and Odoo told) this + 10 s later: within the run,
        // yet long enough for a busy machine not to turn slow answers into unknown outcomes.
        WEX_TIMEOUT_SECONDS: '15',
        ACK_TIMEOUT_SECONDS: '5',
        DOWNSTREAM_RETRY_BASE_SECONDS: '1',
        MAX_DOWNSTREAM: '10',
        CLOVER_TOKEN_ENCRYPTION_KEY: key32(),
        CLOVER_DISPATCHER_SECRET: randomBytes(24).toString('hex'),
        CLOVER_WEBHOOK_APP_SECRET: secrets.cloverApp,
        CLOVER_WEBHOOK_RETRY_BASE_MS: '1000',
      };
    case 'commerce':
      return { ...common, PRESTASHOP_WEBHOOK_SECRET: secrets.prestashop };
    case 'billing':
      return { ...common, BILLING_ENCRYPTION_KEY: `k1:${key32()}` };
    case 'helpdesk':
      return { ...common, HELPDESK_SMTP_URL: infra.smtp.url, HELPDESK_MAIL_RETRY_BASE_MS: '1000', HELPDESK_MAIL_TIMEOUT_MS: '5000' };
  }
}

/**
 * Everything a chaos run needs, owned by this process: a PostgreSQL cluster (a database per
 * service), a nats-server with JetStream on a store dir, the third-party emulators and the four
 * subgraphs as separate processes. `close()` undoes all of it; exit-time cleanup (registered by
 * each piece) and the watchdog (Reaper) cover Ctrl-C, crashes and a killed run.
 */
export class ChaosSystem {
  readonly services = new Map<ServiceName, SubgraphProcess>();

  private constructor(
    readonly workDir: string,
    readonly postgres: PostgresCluster,
    readonly nats: NatsServerHandle,
    readonly wex: WexEmulator,
    readonly odoo: OdooWebhookReceiver,
    readonly smtp: SmtpSink,
    private readonly reaper: Reaper,
    private readonly unregisterCleanups: () => void,
  ) {}

  static async start(log: (line: string) => void): Promise<ChaosSystem> {
    const reaper = Reaper.start();
    const workDir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
    reaper.directory(workDir);
    const unregisterWorkDir = registerProcessCleanup(() => rmSync(workDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));
    const started: { close(): Promise<void> }[] = [];
    let system: ChaosSystem | undefined;
    try {
      log('starting PostgreSQL (own cluster) and nats-server (JetStream, file store)…');
      const postgres = await startPostgresCluster();
      reaper.postgres(join(postgres.directory, 'data'));
      reaper.directory(postgres.directory);
      started.push({ close: () => postgres.destroy() });
      const nats = await startNats();
      reaper.process(nats.pid);
      reaper.directory(nats.storeDir);
      // The testkit removes the store right after SIGKILL; a server already shutting down (Ctrl-C
      // reaches it too) may still be writing then. Wait for it to be gone, and retry.
      const unregisterNatsStore = registerProcessCleanup(() => {
        const pid = nats.pid;
        if (pid !== undefined) {
          for (let waited = 0; waited < 3_000 && processAlive(pid); waited += 10) sleepSync(10);
        }
        rmSync(nats.storeDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
      });
      started.push({
        close: async () => {
          await nats.stop();
          unregisterNatsStore();
        },
      });
      const wex = await startWexEmulator();
      started.push({ close: () => wex.stop() });
      const odoo = await startOdooWebhookReceiver({ authToken: secrets.wexToken });
      started.push({ close: () => odoo.stop() });
      const smtp = await startSmtpSink();
      started.push({ close: () => smtp.stop() });
      system = new ChaosSystem(workDir, postgres, nats, wex, odoo, smtp, reaper, () => {
        unregisterNatsStore();
        unregisterWorkDir();
      });
      for (const name of SERVICES) {
        const databaseUrl = await postgres.createDatabase(name);
        const env = serviceEnv(name, { natsUrl: nats.url, databaseUrl, wex, odoo, smtp });
        system.services.set(name, new SubgraphProcess(name, await freePort(), env, workDir, reaper));
      }
      odoo.setAckUrl(`${system.service('payments').url}/ack`);
      // Odoo saves the card, then acknowledges it (a failed ACK means the next re-send is ACKed).
      odoo.autoAck({ fromAttempt: 1 });
      log(`starting ${SERVICES.join(', ')} (production entry points, one process each)…`);
      // One at a time: each one transpiles the whole service on a cold start.
      for (const service of system.services.values()) await service.start();
      return system;
    } catch (error) {
      await Promise.allSettled([...(system?.services.values() ?? [])].map((service) => service.close()));
      for (const piece of started.reverse()) await piece.close().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
      unregisterWorkDir();
      await reaper.release();
      throw error;
    }
  }

  service(name: ServiceName): SubgraphProcess {
    return this.services.get(name)!;
  }

  /** GraphQL on a subgraph as the gateway would call it (signed identity); throws on errors. */
  async graphql(service: ServiceName, query: string, variables: Record<string, unknown>, roles: string[]): Promise<any> {
    const response = await fetch(`${this.service(service).url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ sub: 'chaos-run', roles, via: 'jwt' }, secrets.signing) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (response.status !== 200 || body.errors?.length) throw new Error(`${service} GraphQL failed (${response.status}): ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  }

  /** Rows of one statement on a service's database. */
  query<T extends Record<string, unknown>>(service: ServiceName, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.postgres.query<T>(service, sql, params);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.services.values()].map((service) => service.close()));
    await Promise.allSettled([this.wex.stop(), this.odoo.stop(), this.smtp.stop()]);
    await this.nats.stop().catch(() => undefined);
    await this.postgres.destroy().catch(() => undefined);
    rmSync(this.workDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    this.unregisterCleanups();
    await this.reaper.release();
  }

  /** A NATS outage: stopped gracefully, down for `downMs`, started again on the same port and store. */
  async restartNats(downMs: number): Promise<void> {
    const previous = this.nats.pid;
    await stopNatsServer(this.nats);
    this.reaper.forgetProcess(previous);
    await sleep(downMs);
    await this.nats.restart();
    this.reaper.process(this.nats.pid);
  }
}
