import type { EmulatorRequest } from './http.js';
import type { CloverEmulatorState } from './state.js';

export type CallerKind = 'oauth' | 'rest-api-token' | 'ecommerce-private-key';

export interface Caller {
  kind: CallerKind;
  merchantId: string;
  appId?: string;
}

/** Who a `Authorization: Bearer …` header belongs to, or why it is refused. */
export function identifyCaller(state: CloverEmulatorState, request: EmulatorRequest, now = Date.now()): Caller | { refused: string } {
  const header = request.headers['authorization'] ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return { refused: 'missing bearer token' };
  const token = match[1]!.trim();
  const access = state.accessTokens.get(token);
  if (access) {
    if (access.expiresAt <= now) return { refused: 'access token expired' };
    return { kind: 'oauth', merchantId: access.merchantId, appId: access.appId };
  }
  for (const merchant of state.merchants.values()) {
    if (merchant.restApiToken === token) return { kind: 'rest-api-token', merchantId: merchant.id };
    if (merchant.ecommercePrivateKey === token) return { kind: 'ecommerce-private-key', merchantId: merchant.id };
  }
  return { refused: 'unknown token' };
}

export function isRefused(caller: Caller | { refused: string }): caller is { refused: string } {
  return 'refused' in caller;
}
