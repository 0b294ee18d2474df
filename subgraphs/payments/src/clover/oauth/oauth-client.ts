import type { Logger, OutboundHttp } from '@switchboard/kit';
import type { CloverHosts } from '../config.js';
import { expectSuccess, sendToClover } from '../http/clover-http.js';
import { CloverApiError } from '../http/errors.js';

export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
}

interface TokenResponse {
  access_token?: string;
  access_token_expiration?: number;
  refresh_token?: string;
  refresh_token_expiration?: number;
}

/** Without an expiry in the answer, assume the sandbox's ~30 minutes minus a safety margin. */
const DEFAULT_ACCESS_TTL_MS = 25 * 60 * 1000;

/**
 * Clover's OAuth v2 token endpoints, on the API host (seed quirk 3: not the authorize host).
 */
export class CloverOAuthClient {
  constructor(
    private readonly http: OutboundHttp,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Code → access + refresh token (`POST /oauth/v2/token`). */
  async exchangeCode(hosts: CloverHosts, appId: string, appSecret: string, code: string): Promise<TokenSet> {
    const reply = await sendToClover(
      this.http,
      { surface: 'oauth', method: 'POST', url: `${hosts.api}/oauth/v2/token`, body: { client_id: appId, client_secret: appSecret, code }, timeoutMs: this.timeoutMs },
      this.logger,
    );
    return toTokenSet(expectSuccess<TokenResponse>('oauth', reply));
  }

  /**
   * Spends `refreshToken` (single-use: Clover invalidates it the moment it answers) for a new pair
   * (`POST /oauth/v2/refresh`). The caller must store both new tokens together.
   */
  async refresh(hosts: CloverHosts, appId: string, refreshToken: string): Promise<TokenSet> {
    const reply = await sendToClover(
      this.http,
      { surface: 'oauth', method: 'POST', url: `${hosts.api}/oauth/v2/refresh`, body: { client_id: appId, refresh_token: refreshToken }, timeoutMs: this.timeoutMs },
      this.logger,
    );
    return toTokenSet(expectSuccess<TokenResponse>('oauth', reply));
  }
}

function toTokenSet(body: TokenResponse): TokenSet {
  if (!body || typeof body.access_token !== 'string' || !body.access_token) {
    throw new CloverApiError('oauth', 502, 'token response without access_token');
  }
  return {
    accessToken: body.access_token,
    accessTokenExpiresAt: body.access_token_expiration ? new Date(body.access_token_expiration * 1000) : new Date(Date.now() + DEFAULT_ACCESS_TTL_MS),
    refreshToken: body.refresh_token || undefined,
    refreshTokenExpiresAt: body.refresh_token_expiration ? new Date(body.refresh_token_expiration * 1000) : undefined,
  };
}
