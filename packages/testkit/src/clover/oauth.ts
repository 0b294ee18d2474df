import { INVALID_JSON, json, type EmulatorRequest, type EmulatorResponse, type Router } from './http.js';
import { cloverId, jwtLike, randomToken, type CloverEmulatorState } from './state.js';

export interface OAuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Merchant that "logs in" on the authorize page (the only merchant when unset). */
  loginMerchantId?: string;
  /** Count of refresh calls (every attempt, good or bad). */
  refreshAttempts: number;
}

const LOGIN_PAGE = '<!doctype html><html><body><form><input name="password" type="password"></form></body></html>';

/**
 * OAuth v2 as Clover splits it: authorize on the UI host, token + refresh on the API host.
 * Refresh tokens are single-use and rotate; reusing one answers 401 "Invalid refresh token".
 */
export function oauthRoutes(state: CloverEmulatorState, settings: OAuthSettings, ui: Router, api: Router): void {
  const authorize = (version: 'v1' | 'v2') => (request: EmulatorRequest): EmulatorResponse => {
    const clientId = request.query.get('client_id') ?? '';
    const redirectUri = request.query.get('redirect_uri') ?? '';
    if (!state.apps.has(clientId)) return json(400, { message: 'Unknown client_id' });
    if (!redirectUri) return json(400, { message: 'redirect_uri is required' });
    const merchantId = request.query.get('merchant_id') ?? settings.loginMerchantId ?? [...state.merchants.keys()][0];
    if (!merchantId || !state.merchants.has(merchantId)) return json(400, { message: 'No merchant to log in as' });
    const code = randomToken(version === 'v1' ? 'v1code_' : '');
    state.authCodes.set(code, { code, appId: clientId, merchantId, version, used: false, expiresAt: Date.now() + 10 * 60_000 });
    const target = new URL(redirectUri);
    target.searchParams.set('merchant_id', merchantId);
    target.searchParams.set('employee_id', cloverId());
    target.searchParams.set('client_id', clientId);
    target.searchParams.set('code', code);
    const passState = request.query.get('state');
    if (passState !== null) target.searchParams.set('state', passState);
    return { status: 302, headers: { location: target.toString() } };
  };
  ui.on('GET', '/oauth/v2/authorize', authorize('v2'));
  // Deprecated since Oct 2023: still resolves, but issues v1 codes the v2 token endpoint refuses.
  ui.on('GET', '/oauth/authorize', authorize('v1'));
  // Seed quirk 1: the API host has no login UI — a blank page that accepts no password.
  api.on('GET', '/oauth/v2/authorize', () => ({ status: 200, body: LOGIN_PAGE }));

  api.on('POST', '/oauth/v2/token', (request) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || body === (INVALID_JSON as unknown) || typeof body !== 'object') return json(400, { message: 'Invalid JSON body' });
    const app = state.apps.get(String(body.client_id ?? ''));
    if (!app || body.client_secret !== app.secret) return json(401, { message: 'Invalid client credentials' });
    const code = state.authCodes.get(String(body.code ?? ''));
    if (!code || code.used || code.version !== 'v2' || code.appId !== app.id || code.expiresAt <= Date.now()) {
      return json(401, { message: 'Failed to validate authentication code' });
    }
    code.used = true;
    return json(200, issueTokens(state, settings, app.id, code.merchantId));
  });

  api.on('POST', '/oauth/v2/refresh', (request) => {
    settings.refreshAttempts += 1;
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || body === (INVALID_JSON as unknown) || typeof body !== 'object') return json(400, { message: 'Invalid JSON body' });
    const refresh = state.refreshTokens.get(String(body.refresh_token ?? ''));
    if (!refresh || refresh.used || refresh.expiresAt <= Date.now() || refresh.appId !== body.client_id) {
      return json(401, { message: 'Invalid refresh token' });
    }
    // Single use: the old refresh token dies now, whatever happens to the response.
    refresh.used = true;
    return json(200, issueTokens(state, settings, refresh.appId, refresh.merchantId));
  });
}

function issueTokens(state: CloverEmulatorState, settings: OAuthSettings, appId: string, merchantId: string) {
  const now = Date.now();
  const access = { token: jwtLike(), appId, merchantId, expiresAt: now + settings.accessTokenTtlSeconds * 1000 };
  const refresh = { token: randomToken('rt_'), appId, merchantId, expiresAt: now + settings.refreshTokenTtlSeconds * 1000, used: false };
  state.accessTokens.set(access.token, access);
  state.refreshTokens.set(refresh.token, refresh);
  return {
    access_token: access.token,
    access_token_expiration: Math.floor(access.expiresAt / 1000),
    refresh_token: refresh.token,
    refresh_token_expiration: Math.floor(refresh.expiresAt / 1000),
  };
}
