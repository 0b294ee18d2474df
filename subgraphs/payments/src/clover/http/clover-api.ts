import type { Logger, OutboundHttp } from '@switchboard/kit';
import type { CloverConfig } from '../config.js';
import type { CloverConnection } from '../connections/clover-connection.js';
import type { ConnectionSecrets } from '../connections/connection-secrets.js';
import type { CloverTokenManager } from '../oauth/token-manager.js';
import { expectSuccess, sendToClover, type CloverReply } from './clover-http.js';
import type { CloverCallLimiter } from './rate-limits.js';
import { CloverNotConnected, type CloverSurface } from './errors.js';

export type ApiSurface = Extract<CloverSurface, 'platform' | 'ecommerce' | 'terminal'>;

export interface ApiRequest {
  surface: ApiSurface;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path on the surface's host, e.g. `/v1/charges` or `/connect/v1/device/ping`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The ecommerce private key works for `GET /v3/merchants/{mId}` too (and nothing else there). */
  allowEcommerceKeyOnPlatform?: boolean;
}

type Credential = { kind: 'oauth' | 'rest-api-token' | 'ecommerce-private-key'; token: string };

/**
 * Authenticated calls to Clover for one connection.
 *
 * Auth precedence (seed): the OAuth access token (refreshable, works everywhere), then the legacy
 * REST API token (Platform API), then the ecommerce private key (ecommerce API, and the merchant
 * lookup). REST Pay Display accepts OAuth tokens only.
 *
 * A 401 with an OAuth token is retried exactly once, with the token `afterRejection` gives; the
 * retried call is never retried again, so corrupt credentials fail fast instead of looping.
 */
export class CloverApi {
  constructor(
    private readonly deps: {
      http: OutboundHttp;
      tokens: CloverTokenManager;
      secrets: ConnectionSecrets;
      config: CloverConfig;
      logger: Logger;
      /** Paces Platform API calls within Clover's per-token and per-app limits. */
      limiter: CloverCallLimiter;
    },
  ) {}

  async call<T>(connection: CloverConnection, request: ApiRequest): Promise<T> {
    const credential = await this.credential(connection, request);
    let reply = await this.send(connection, request, credential);
    if (reply.status === 401 && credential.kind === 'oauth') {
      const retryWith = await this.deps.tokens.afterRejection(connection.id, credential.token);
      reply = await this.send(connection, request, { kind: 'oauth', token: retryWith });
    }
    return expectSuccess<T>(request.surface, reply);
  }

  /**
   * One request. Platform API requests each wait for a slot within the REST API's limits. REST
   * Pay Display calls wait for the customer at the device (minutes), so they would hold a token's
   * few slots for nothing; ecommerce has limits of its own.
   */
  private send(connection: CloverConnection, request: ApiRequest, credential: Credential): Promise<CloverReply> {
    if (request.surface !== 'platform') return this.exchange(connection, request, credential.token);
    const keys = { token: `${connection.id}:${credential.kind}`, app: connection.appId };
    return this.deps.limiter.run(keys, () => this.exchange(connection, request, credential.token));
  }

  private exchange(connection: CloverConnection, request: ApiRequest, token: string): Promise<CloverReply> {
    const hosts = this.deps.config.hosts[connection.environment];
    const base = request.surface === 'ecommerce' ? hosts.ecommerce : hosts.api;
    return sendToClover(
      this.deps.http,
      {
        surface: request.surface,
        method: request.method,
        url: `${base}${request.path}`,
        headers: { authorization: `Bearer ${token}`, ...request.headers },
        body: request.body,
        timeoutMs: request.timeoutMs ?? this.deps.config.httpTimeoutMs,
      },
      this.deps.logger,
    );
  }

  private async credential(connection: CloverConnection, request: ApiRequest): Promise<Credential> {
    const oauth = await this.deps.tokens.freshAccessToken(connection.id);
    if (oauth) return { kind: 'oauth', token: oauth };
    const { secrets } = this.deps;
    if (request.surface === 'terminal') {
      throw new CloverNotConnected('REST Pay Display only accepts OAuth tokens: connect the merchant through OAuth first');
    }
    if (request.surface === 'platform') {
      const rest = secrets.openOptional(connection.id, 'rest_api_token', connection.restApiTokenSealed);
      if (rest) return { kind: 'rest-api-token', token: rest };
      const key = request.allowEcommerceKeyOnPlatform ? secrets.openOptional(connection.id, 'ecommerce_private_key', connection.ecommercePrivateKeySealed) : undefined;
      if (key) return { kind: 'ecommerce-private-key', token: key };
      throw new CloverNotConnected('this Platform API call needs an OAuth connection or a REST API token');
    }
    const key = secrets.openOptional(connection.id, 'ecommerce_private_key', connection.ecommercePrivateKeySealed);
    if (key) return { kind: 'ecommerce-private-key', token: key };
    throw new CloverNotConnected('the ecommerce API needs an OAuth connection or an ecommerce private key');
  }
}
