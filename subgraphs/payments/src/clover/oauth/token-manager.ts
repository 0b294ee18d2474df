import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Logger } from '@switchboard/kit';
import type { CloverEnvironment, CloverHosts } from '../config.js';
import { CloverConnection } from '../connections/clover-connection.js';
import type { ConnectionSecrets } from '../connections/connection-secrets.js';
import { resealedSecrets } from '../connections/reseal.js';
import { CloverNotConnected, CloverReauthorizationRequired, CloverRequestRejected, CloverUnauthorized, CloverUnavailable } from '../http/errors.js';
import type { CloverOAuthClient } from './oauth-client.js';

export interface TokenManagerOptions {
  db: Database;
  secrets: ConnectionSecrets;
  oauth: CloverOAuthClient;
  hosts: Record<CloverEnvironment, CloverHosts>;
  /** Layer 1: refresh when the access token expires within this many seconds. */
  refreshMarginSeconds: number;
  /** How long one replica may hold the right to spend the refresh token. */
  leaseMs: number;
  logger: Logger;
  pollMs?: number;
}

/**
 * OAuth token freshness for Clover connections, shared by every replica through the database.
 *
 * - Layer 1 (proactive): `freshAccessToken` refreshes when the token expires within the margin.
 * - Layer 2 (reactive): after a 401, `afterRejection` gives the token to retry with — one that
 *   another replica already obtained, or one refresh of our own. The caller retries once.
 * - Layer 3 (rotation-safe): the new access and refresh tokens are stored in one update.
 *
 * Clover refresh tokens are single-use, so two replicas must never both spend one. A refresh is
 * a compare-and-set on the connection row: the replica that moves `refresh_lease_*` for the current
 * `token_version` spends the token; the others wait for the version to change and reuse the
 * result. The new pair is stored only while the lease is still ours, so a disconnect or a new
 * authorization during the call is not undone by it. Works the same on PostgreSQL and SQLite, across processes, without holding a database
 * transaction open during the HTTP call.
 */
export class CloverTokenManager {
  /** Identifies this process as the holder of a refresh lease. */
  readonly replicaId = randomUUID();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: TokenManagerOptions) {}

  /** Layer 1. Undefined when the connection has no OAuth tokens (other credentials may apply). */
  async freshAccessToken(connectionId: string): Promise<string | undefined> {
    const row = await this.load(connectionId);
    if (!row.accessTokenSealed) return undefined;
    if (row.status === 'needs_reauthorization') throw new CloverReauthorizationRequired(connectionId, row.lastError ?? 'refresh token refused');
    if (this.stillFresh(row)) return this.options.secrets.open(row.id, 'access_token', row.accessTokenSealed);
    return this.refresh(row);
  }

  /**
   * Layer 2: Clover refused `rejected` with a 401. Returns the token to retry with, refreshing at
   * most once; the caller must not ask again for the retried call.
   */
  async afterRejection(connectionId: string, rejected: string): Promise<string> {
    const row = await this.load(connectionId);
    if (row.status === 'needs_reauthorization') throw new CloverReauthorizationRequired(connectionId, row.lastError ?? 'refresh token refused');
    if (row.accessTokenSealed && this.stillFresh(row)) {
      const current = this.options.secrets.open(row.id, 'access_token', row.accessTokenSealed);
      // Another replica refreshed since we read the token: use its result, spend nothing.
      if (current !== rejected) return current;
    }
    return this.refresh(row);
  }

  private stillFresh(row: CloverConnection): boolean {
    const expiresAt = row.accessTokenExpiresAt?.getTime() ?? 0;
    return expiresAt - Date.now() > this.options.refreshMarginSeconds * 1000;
  }

  /** One refresh per (connection, token version) in this process; other callers share it. */
  private refresh(row: CloverConnection): Promise<string> {
    const key = `${row.id}:${row.tokenVersion}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refreshVersion(row.id, row.tokenVersion).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async refreshVersion(connectionId: string, version: number): Promise<string> {
    const { db, leaseMs, pollMs = 25 } = this.options;
    const deadline = Date.now() + leaseMs + 2_000;
    for (;;) {
      const row = await this.load(connectionId);
      if (row.tokenVersion !== version) {
        // Someone else refreshed (or failed to, or the merchant re-connected): reuse the outcome.
        if (row.status === 'needs_reauthorization' || !row.accessTokenSealed) {
          throw new CloverReauthorizationRequired(connectionId, row.lastError ?? 'refresh token refused');
        }
        return this.options.secrets.open(row.id, 'access_token', row.accessTokenSealed);
      }
      if (!row.refreshTokenSealed) return this.markReauthorization(row, 'no refresh token stored');
      const now = new Date();
      const claimed = await db.em().nativeUpdate(
        CloverConnection,
        { id: connectionId, tokenVersion: version, $or: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { $lt: now } }] },
        { refreshLeaseOwner: this.replicaId, refreshLeaseUntil: new Date(now.getTime() + leaseMs) },
      );
      if (claimed === 1) return this.spendRefreshToken(row);
      if (Date.now() > deadline) throw new CloverUnavailable('oauth', 'another replica took the token refresh and did not finish it');
      await sleep(pollMs);
    }
  }

  private async spendRefreshToken(row: CloverConnection): Promise<string> {
    const { db, secrets, oauth, hosts, logger } = this.options;
    let refreshToken: string;
    try {
      refreshToken = secrets.open(row.id, 'refresh_token', row.refreshTokenSealed!);
    } catch (error) {
      return this.markReauthorization(row, `stored refresh token unreadable: ${(error as Error).message}`);
    }
    let tokens;
    try {
      tokens = await oauth.refresh(hosts[row.environment], row.appId, refreshToken);
    } catch (error) {
      if (error instanceof CloverUnauthorized || error instanceof CloverRequestRejected) {
        // Reused, revoked or corrupt: only the merchant authorizing again brings it back.
        return this.markReauthorization(row, `refresh refused: ${error.cloverMessage}`);
      }
      // Outcome unknown (timeout, 5xx): give the lease back; the next call finds out.
      await db.em().nativeUpdate(
        CloverConnection,
        { id: row.id, refreshLeaseOwner: this.replicaId },
        { refreshLeaseOwner: null, refreshLeaseUntil: null, lastError: `token refresh failed: ${(error as Error).message}` },
      );
      throw error;
    }
    // Layer 3: both new tokens in one write — as long as we still hold the lease for this version.
    // A disconnect or a new authorization meanwhile cleared it: their outcome wins.
    const now = new Date();
    const stored = await db.em().nativeUpdate(
      CloverConnection,
      { id: row.id, tokenVersion: row.tokenVersion, refreshLeaseOwner: this.replicaId },
      {
        ...resealedSecrets(row, secrets),
        accessTokenSealed: secrets.seal(row.id, 'access_token', tokens.accessToken),
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        ...(tokens.refreshToken
          ? { refreshTokenSealed: secrets.seal(row.id, 'refresh_token', tokens.refreshToken), refreshTokenExpiresAt: tokens.refreshTokenExpiresAt ?? null }
          : {}),
        secretsKeyId: secrets.currentKeyId,
        tokenVersion: row.tokenVersion + 1,
        refreshLeaseOwner: null,
        refreshLeaseUntil: null,
        status: 'connected',
        lastError: null,
        lastRefreshedAt: now,
        updatedAt: now,
      },
    );
    if (stored !== 1) {
      logger.warn({ connectionId: row.id }, 'clover connection changed during a token refresh; the refreshed tokens are discarded');
      const current = await this.load(row.id);
      if (current.status !== 'connected' || !current.accessTokenSealed) {
        throw new CloverNotConnected(`Clover connection ${row.id} was ${current.status === 'disconnected' ? 'disconnected' : 'changed'} during the token refresh`);
      }
      return secrets.open(current.id, 'access_token', current.accessTokenSealed);
    }
    logger.info({ connectionId: row.id, expiresAt: tokens.accessTokenExpiresAt.toISOString() }, 'clover access token refreshed');
    return tokens.accessToken;
  }

  private async markReauthorization(row: CloverConnection, reason: string): Promise<never> {
    await this.options.db.em().nativeUpdate(
      CloverConnection,
      { id: row.id, tokenVersion: row.tokenVersion },
      {
        status: 'needs_reauthorization',
        lastError: reason,
        tokenVersion: row.tokenVersion + 1,
        refreshLeaseOwner: null,
        refreshLeaseUntil: null,
        updatedAt: new Date(),
      },
    );
    this.options.logger.warn({ connectionId: row.id, reason }, 'clover connection needs re-authorization');
    throw new CloverReauthorizationRequired(row.id, reason);
  }

  private async load(connectionId: string): Promise<CloverConnection> {
    const row = await this.options.db.em().findOne(CloverConnection, { id: connectionId });
    if (!row) throw new CloverReauthorizationRequired(connectionId, 'connection not found');
    return row;
  }
}
