import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Database, Logger } from '@switchboard/kit';
import type { CloverConfig } from '../config.js';
import { CloverConnection } from '../connections/clover-connection.js';
import type { ConnectionSecrets } from '../connections/connection-secrets.js';
import { CloverInputError, CloverNotFoundError, CloverStateError, OAuthStateRejected } from '../domain-errors.js';
import type { CloverApi } from '../http/clover-api.js';
import { CloverUnauthorized } from '../http/errors.js';
import type { CloverOAuthClient } from './oauth-client.js';
import { signState, verifyState } from './signed-state.js';

export interface ConnectUrl {
  url: string;
  state: string;
  expiresAt: Date;
}

export interface AuthorizationCallback {
  state?: string;
  code?: string;
  /** `merchant_id` from Clover's redirect. */
  merchantId?: string;
}

/**
 * OAuth v2 for a connection: the authorize URL on the UI host (seed quirks 1-2), then the code
 * exchanged on the API host (quirk 3). The signed state ties the callback to the connection and to
 * our own callback URL; the HTTP callback route (issue 5) calls `completeAuthorization`.
 */
export class CloverOAuthService {
  constructor(
    private readonly deps: {
      db: Database;
      config: CloverConfig;
      secrets: ConnectionSecrets;
      oauth: CloverOAuthClient;
      api: CloverApi;
      logger: Logger;
    },
  ) {}

  async connectUrl(connectionId: string, customer?: string): Promise<ConnectUrl> {
    const row = await this.deps.db.em().findOne(CloverConnection, { id: connectionId });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${connectionId}`);
    const { oauth, hosts } = this.deps.config;
    const now = Date.now();
    const state = signState({ redirect_to: oauth.callbackUrl, connection: row.id, ...(customer ? { customer } : {}) }, oauth.stateSecret, now);
    const url = new URL(`${hosts[row.environment].oauth}/oauth/v2/authorize`);
    url.searchParams.set('client_id', row.appId);
    url.searchParams.set('redirect_uri', oauth.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('state', state);
    return { url: url.toString(), state, expiresAt: new Date(now + oauth.stateTtlSeconds * 1000) };
  }

  /**
   * Verifies the state (forged, expired or bound to another callback → `OAuthStateRejected`, 403)
   * before anything else, then exchanges the code and stores both tokens sealed.
   */
  async completeAuthorization(callback: AuthorizationCallback): Promise<CloverConnection> {
    const { config, secrets, db, logger } = this.deps;
    const callbackUrl = new URL(config.oauth.callbackUrl);
    const check = verifyState(callback.state, config.oauth.stateSecret, {
      maxAgeSeconds: config.oauth.stateTtlSeconds,
      redirectAllowed: (target) => target.origin === callbackUrl.origin && target.pathname === callbackUrl.pathname,
    });
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'clover oauth callback refused');
      throw new OAuthStateRejected(check.reason, check.message);
    }
    const connectionId = check.payload.connection;
    if (!connectionId) throw new OAuthStateRejected('malformed', 'state names no connection');
    if (!callback.code) throw new CloverInputError('code is missing from the callback', 'code');
    const merchantId = callback.merchantId?.trim();
    if (!merchantId) throw new CloverInputError('merchant_id is missing from the callback', 'merchant_id');

    const row = await db.em().findOne(CloverConnection, { id: connectionId });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${connectionId}`);
    if (row.merchantId && row.merchantId !== merchantId) {
      throw new CloverStateError(`merchant ${merchantId} authorized, but this connection is for merchant ${row.merchantId}`, 'merchant_mismatch');
    }
    const appSecret = secrets.open(row.id, 'app_secret', row.appSecretSealed);
    let tokens;
    try {
      tokens = await this.deps.oauth.exchangeCode(config.hosts[row.environment], row.appId, appSecret, callback.code);
    } catch (error) {
      if (error instanceof CloverUnauthorized && /authentication code/i.test(error.cloverMessage)) {
        // Seed quirks 2, 7, 10: v1 codes (legacy path, or App Market without an Alternate Launch Path).
        throw new CloverStateError(
          `Clover refused the authorization code (${error.cloverMessage}). It may be a v1 code: set the app's Alternate Launch Path so App Market Connect uses /oauth/v2/authorize, then connect again.`,
          'invalid_code',
        );
      }
      throw error;
    }
    const now = new Date();
    const em = db.em();
    const fresh = await em.findOneOrFail(CloverConnection, { id: row.id });
    Object.assign(fresh, {
      merchantId,
      accessTokenSealed: secrets.seal(row.id, 'access_token', tokens.accessToken),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshTokenSealed: tokens.refreshToken ? secrets.seal(row.id, 'refresh_token', tokens.refreshToken) : null,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt ?? null,
      tokenVersion: fresh.tokenVersion + 1,
      refreshLeaseOwner: null,
      refreshLeaseUntil: null,
      status: 'connected',
      lastError: null,
      connectedAt: now,
      updatedAt: now,
    });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new CloverStateError(`merchant ${merchantId} is already connected through another ${row.environment} connection`, 'duplicate_connection');
      }
      throw error;
    }
    logger.info({ connectionId: row.id, merchantId }, 'clover connection authorized');
    await this.rememberMerchantName(fresh);
    return db.em().findOneOrFail(CloverConnection, { id: row.id });
  }

  /** Best effort: the connection works without a name. */
  private async rememberMerchantName(row: CloverConnection): Promise<void> {
    try {
      const merchant = await this.deps.api.call<{ name?: string }>(row, { surface: 'platform', method: 'GET', path: `/v3/merchants/${encodeURIComponent(row.merchantId!)}` });
      if (merchant?.name) await this.deps.db.em().nativeUpdate(CloverConnection, { id: row.id }, { merchantName: merchant.name });
    } catch (error) {
      this.deps.logger.warn({ connectionId: row.id, err: (error as Error).message }, 'could not read the clover merchant name');
    }
  }
}
