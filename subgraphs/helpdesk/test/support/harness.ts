import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEvent,
  createLogger,
  createSubgraphService,
  IDENTITY_HEADER,
  InProcessEventBus,
  NatsEventBus,
  signIdentity,
  type EventBus,
  type SubgraphService,
} from '@switchboard/kit';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { helpdesk, type HelpdeskDeps } from '../../src/index.js';

export type BusKind = 'nats' | 'in-process';
export type DbKind = 'sqlite' | 'postgres';

export const SIGNING_SECRET = 'helpdesk-test-signing-secret-0123456789';
const logger = createLogger({ name: 'helpdesk-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Real infrastructure shared by one test file: nats-server and PostgreSQL started on demand. */
export class Infrastructure {
  private nats?: NatsServerHandle;
  private postgres?: PostgresHandle;
  private readonly dir = mkdtempSync(join(tmpdir(), 'helpdesk-test-'));
  private counter = 0;

  async bus(kind: BusKind): Promise<EventBus> {
    if (kind === 'in-process') return new InProcessEventBus();
    this.nats ??= await startNats();
    return NatsEventBus.connect({ servers: this.nats.url, name: 'helpdesk-test', logger });
  }

  async databaseUrl(kind: DbKind): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.dir, `helpdesk-${++this.counter}.sqlite`)}`;
    this.postgres ??= await startPostgres();
    return this.postgres.createDatabase('helpdesk');
  }

  async stop(): Promise<void> {
    await this.nats?.stop();
    await this.postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Agent {
  sub: string;
  email?: string;
  roles: string[];
}

export const SUPPORT: Agent = { sub: 'agent-1', email: 'sam@support.example', roles: ['support'] };
export const ADMIN: Agent = { sub: 'admin-1', email: 'root@support.example', roles: ['admin'] };

export interface AppUser {
  email?: string;
  name?: string;
  admin?: boolean;
}

/** One running helpdesk service on a real HTTP port, with helpers to call it like its users do. */
export class Helpdesk {
  private constructor(readonly service: SubgraphService<HelpdeskDeps>, readonly bus: EventBus, private readonly ownsBus: boolean) {}

  static async start(infra: Infrastructure, options: { bus: BusKind; db: DbKind; env?: Record<string, string | undefined>; sharedBus?: EventBus }): Promise<Helpdesk> {
    const bus = options.sharedBus ?? (await infra.bus(options.bus));
    const service = await createSubgraphService(helpdesk, {
      bus,
      logger,
      env: {
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
        DATABASE_URL: await infra.databaseUrl(options.db),
        HELPDESK_PUBLIC_BASE_URL: 'http://helpdesk.test',
        HELPDESK_MAIL_FROM: 'Helpdesk Test <support@helpdesk.test>',
        HELPDESK_SUPPORT_EMAIL: 'help@helpdesk.test',
        HELPDESK_MAIL_RETRY_BASE_MS: '100',
        ...options.env,
      },
    });
    await service.start();
    return new Helpdesk(service, bus, !options.sharedBus);
  }

  get deps(): HelpdeskDeps {
    return this.service.deps;
  }

  url(path = ''): string {
    return `${this.service.url()}${path}`;
  }

  /** POST /graphql as the gateway would, with a signed identity. */
  async graphql<T = any>(query: string, variables: Record<string, unknown> = {}, agent: Agent = SUPPORT): Promise<{ data?: T; errors?: { message: string; extensions?: any }[] }> {
    const response = await fetch(this.url('/graphql'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity({ sub: agent.sub, email: agent.email, roles: agent.roles, via: 'jwt' }, SIGNING_SECRET),
      },
      body: JSON.stringify({ query, variables }),
    });
    return response.json() as Promise<any>;
  }

  /** GraphQL that must succeed: returns data, throws with the errors otherwise. */
  async gql<T = any>(query: string, variables: Record<string, unknown> = {}, agent: Agent = SUPPORT): Promise<T> {
    const result = await this.graphql<T>(query, variables, agent);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data!;
  }

  /** Register a client deployment through GraphQL (admin); returns its API key. */
  async registerClient(label: string, extra: Record<string, unknown> = {}): Promise<string> {
    const data = await this.gql(
      'mutation($input: RegisterHelpdeskClientInput!) { registerHelpdeskClient(input: $input) { apiKey client { label } } }',
      { input: { label, name: `${label} deployment`, ...extra } },
      ADMIN,
    );
    return data.registerHelpdeskClient.apiKey;
  }

  /** Call the client-app REST API over real HTTP, as a deployment's app would. */
  async api(method: string, path: string, options: { key?: string; user?: AppUser; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    if (options.user?.email !== undefined) headers['x-helpdesk-user-email'] = options.user.email;
    if (options.user?.name !== undefined) headers['x-helpdesk-user-name'] = options.user.name;
    if (options.user?.admin !== undefined) headers['x-helpdesk-user-admin'] = String(options.user.admin);
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url(path), { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* a page, not JSON */
    }
    return { status: response.status, body };
  }

  /** Submit a ticket from an app; returns the ticket id. */
  async submit(key: string, user: AppUser, body: Record<string, unknown> = {}): Promise<string> {
    const response = await this.api('POST', '/api/helpdesk/submit', { key, user, body: { kind: 'bug', subject: 'Something broke', description: '<p>Details</p>', ...body } });
    if (response.status !== 201) throw new Error(`submit failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.ticket_id;
  }

  /** Publish an event onto the bus as another service would (through its outbox relay). */
  async publish(type: string, data: Record<string, unknown>, options: { subject?: string; id?: string; source?: string } = {}) {
    const event = createEvent({ type, data, subject: options.subject, id: options.id, source: options.source ?? type.split('.')[0]! });
    await this.bus.publish(event);
    return event;
  }

  async sql<T = any>(statement: string, params: unknown[] = []): Promise<T[]> {
    return this.deps.db.em().getConnection().execute(statement, params as any[]) as Promise<T[]>;
  }

  async stop(): Promise<void> {
    await this.service.stop();
    if (this.ownsBus) await this.bus.close();
  }
}
