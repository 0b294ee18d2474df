import { signState, verifyState } from '../clover/index.js';
import { customerCallbackUrl, forwardedCallbackUrl, hostAllowed, launchAuthorizeUrl, type RoutingTable } from './routing-rules.js';

/** What a dispatcher OAuth route answers: a redirect, or a refusal that says why. */
export type OAuthAnswer =
  | { status: 302; location: string; merchantId?: string }
  | { status: 400 | 403 | 404 | 503; reason: string; error: string };

export interface StateSettings {
  secret: string;
  ttlSeconds: number;
  now?: number;
}

/**
 * `GET /clover/callback` (pure): verify the signed state — signature in constant time, `iat` not
 * older than the TTL, `redirect_to` on an allow-listed host — and send the merchant's browser on to
 * the customer installation with every query parameter Clover gave us.
 */
export function callbackAnswer(query: URLSearchParams, table: RoutingTable, settings: StateSettings): OAuthAnswer {
  const state = query.get('state');
  if (!state) return { status: 400, reason: 'missing_state', error: 'state is missing: start the connection from the customer installation or /clover/launch' };
  const check = verifyState(state, settings.secret, {
    maxAgeSeconds: settings.ttlSeconds,
    redirectAllowed: (url) => (url.protocol === 'https:' || url.protocol === 'http:') && hostAllowed(url, table.allowedHosts),
    now: settings.now,
  });
  if (!check.ok) return { status: 403, reason: check.reason, error: check.message };
  return { status: 302, location: forwardedCallbackUrl(check.payload.redirect_to, query), merchantId: query.get('merchant_id') ?? undefined };
}

/**
 * `GET /clover/launch?merchant_id=…` (Clover's Alternate Launch Path, seed quirk 7): a fresh
 * signed state for the merchant's customer installation, then Clover's v2 authorize page.
 */
export function launchAnswer(
  query: URLSearchParams,
  table: RoutingTable,
  settings: StateSettings & { oauthHost: string; callbackUrl: string },
): OAuthAnswer {
  const merchantId = query.get('merchant_id')?.trim();
  if (!merchantId) return { status: 400, reason: 'missing_merchant_id', error: 'merchant_id is missing' };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(merchantId)) return { status: 400, reason: 'bad_merchant_id', error: 'merchant_id is not a Clover merchant id' };
  if (!table.appId) return { status: 503, reason: 'no_app_id', error: 'the dispatcher has no Clover app id: set CLOVER_DISPATCHER_APP_ID (or setCloverDispatcherAppId)' };
  const route = table.merchants.get(merchantId);
  if (!route?.baseUrl) return { status: 404, reason: 'unknown_merchant', error: `merchant ${merchantId} has no customer installation (CLOVER_DISPATCHER_MERCHANT_BASE_URLS)` };
  const redirectTo = customerCallbackUrl(route.baseUrl);
  if (!hostAllowed(new URL(redirectTo), table.allowedHosts)) {
    return { status: 403, reason: 'redirect_not_allowed', error: `the customer host ${new URL(redirectTo).host} is not in the allow-list` };
  }
  const state = signState({ redirect_to: redirectTo, ...(route.customer ? { customer: route.customer } : {}) }, settings.secret, settings.now);
  const location = launchAuthorizeUrl({ oauthHost: settings.oauthHost, appId: table.appId, redirectUri: settings.callbackUrl, state, merchantId });
  return { status: 302, location, merchantId };
}
