import type { Database, Logger } from '@switchboard/kit';
import {
  CloverConnection,
  CloverInputError,
  CloverNotFoundError,
  CloverStateError,
  OAuthStateRejected,
  signState,
  verifyState,
  type CloverConfig,
} from '../clover/index.js';

export interface CallbackQuery {
  state?: string;
  code?: string;
  merchantId?: string;
  /** Clover's `client_id`: the app the merchant authorized. */
  clientId?: string;
}

interface AuthorizationCompleter {
  completeAuthorization(callback: { state?: string; code?: string; merchantId?: string }): Promise<CloverConnection>;
}

/**
 * `GET /payment/clover/oauth/callback`: re-verifies the state (defence in depth: the dispatcher
 * already did) and lets issue 4's OAuth service exchange the code and store the tokens.
 *
 * A state our own `cloverConnectUrl` signed names its connection. One the dispatcher's
 * `/clover/launch` signed (App Market Connect) cannot — the dispatcher knows customers, not their
 * connections — so the connection is found by the merchant (or, before its first authorization,
 * as the only connection of the app still waiting for one) and handed on in a state re-signed
 * with the same secret, nonce and issue time.
 */
export class CustomerOAuthCallback {
  constructor(private readonly deps: { db: Database; oauth: AuthorizationCompleter; config: CloverConfig; logger: Logger }) {}

  async complete(query: CallbackQuery): Promise<CloverConnection> {
    const { oauth: settings } = this.deps.config;
    const callbackUrl = new URL(settings.callbackUrl);
    const check = verifyState(query.state, settings.stateSecret, {
      maxAgeSeconds: settings.stateTtlSeconds,
      redirectAllowed: (target) => target.origin === callbackUrl.origin && target.pathname === callbackUrl.pathname,
    });
    if (!check.ok) {
      this.deps.logger.warn({ reason: check.reason }, 'clover oauth callback refused');
      throw new OAuthStateRejected(check.reason, check.message);
    }
    let state = query.state;
    if (!check.payload.connection) {
      const connectionId = await this.connectionFor(query);
      state = signState({ ...check.payload, connection: connectionId }, settings.stateSecret);
    }
    return this.deps.oauth.completeAuthorization({ state, code: query.code, merchantId: query.merchantId });
  }

  private async connectionFor(query: CallbackQuery): Promise<string> {
    const merchantId = query.merchantId?.trim();
    if (!merchantId) throw new CloverInputError('merchant_id is missing from the callback', 'merchant_id');
    const em = this.deps.db.em();
    const appFilter = query.clientId ? { appId: query.clientId } : {};
    const known = await em.find(CloverConnection, { merchantId, ...appFilter });
    if (known.length === 1) return known[0]!.id;
    if (known.length > 1) {
      throw new CloverStateError(`merchant ${merchantId} has ${known.length} connections; connect it from the console (cloverConnectUrl)`, 'ambiguous_connection');
    }
    const waiting = await em.find(CloverConnection, { merchantId: null, ...appFilter });
    if (waiting.length === 1) return waiting[0]!.id;
    const app = query.clientId ? ` of app ${query.clientId}` : '';
    if (waiting.length === 0) {
      throw new CloverNotFoundError(`no Clover connection${app} for merchant ${merchantId}: create one (createCloverConnection), then connect again`);
    }
    throw new CloverStateError(`${waiting.length} connections${app} wait for a first authorization; connect from the console (cloverConnectUrl) so the state names one`, 'ambiguous_connection');
  }
}
