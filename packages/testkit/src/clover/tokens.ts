import { DECLINE_CARDS, fourDigitYear, passesLuhn, TOKEN_BRANDS, validCvv, validMonth, validYear } from './cards.js';
import { ecomError, INVALID_JSON, json, type Router } from './http.js';
import { randomToken, type CloverEmulatorState } from './state.js';

export { DECLINE_CARDS };

/**
 * The tokenization host: `POST /v1/tokens` with the PAKMS key in a header named `apikey`
 * (seed quirk 11: `apiAccessKey` — the name of the field PAKMS returns — gets a 401).
 */
export function tokenRoutes(state: CloverEmulatorState, token: Router, settings: { mode: 'sandbox' | 'production' }): void {
  token.on('POST', '/v1/tokens', (request) => {
    const merchantId = state.pakmsKeys.get(request.headers['apikey'] ?? '');
    if (!merchantId) return json(401, { message: '401 Unauthorized' });
    if (request.body === INVALID_JSON || typeof request.body !== 'object' || request.body === null) {
      return ecomError(400, 'invalid_request_error', 'Invalid JSON format');
    }
    const card = (request.body as { card?: Record<string, unknown> }).card;
    if (!card || typeof card !== 'object') return ecomError(400, 'invalid_request_error', 'card is required', { param: 'card' });
    const number = String(card.number ?? '').replace(/\s+/g, '');
    const brand = String(card.brand ?? '');
    if (!passesLuhn(number)) return ecomError(400, 'invalid_request_error', 'Please provide valid card number', { code: 'invalid_number', param: 'card.number' });
    if (!(TOKEN_BRANDS as readonly string[]).includes(brand)) {
      return ecomError(400, 'invalid_request_error', 'Please provide valid card brand', { code: 'invalid_brand', param: 'card.brand' });
    }
    if (!validMonth(card.exp_month)) return ecomError(400, 'invalid_request_error', 'Please provide valid expiry month', { code: 'invalid_expiry_month', param: 'card.exp_month' });
    if (!validYear(card.exp_year)) return ecomError(400, 'invalid_request_error', 'Please provide valid expiry year', { code: 'invalid_expiry_year', param: 'card.exp_year' });
    // Seed quirk 15: the sandbox accepts an expiry in the past (1970); production refuses it.
    if (settings.mode === 'production' && isExpired(Number(card.exp_month), fourDigitYear(card.exp_year))) {
      return ecomError(400, 'invalid_request_error', 'Please provide valid expiry year', { code: 'invalid_expiry_year', param: 'card.exp_year' });
    }
    if (!validCvv(card.cvv, brand)) return ecomError(400, 'invalid_request_error', 'Please provide valid cvv value', { code: 'invalid_cvc', param: 'card.cvv' });
    const id = randomToken('clv_1T');
    const stored = { number, exp_month: String(card.exp_month).padStart(2, '0'), exp_year: String(fourDigitYear(card.exp_year)), cvv: String(card.cvv), brand };
    state.cardTokens.set(id, { id, merchantId, card: stored, used: false });
    return json(200, {
      id,
      object: 'token',
      card: { exp_month: stored.exp_month, exp_year: stored.exp_year, first6: number.slice(0, 6), last4: number.slice(-4), brand },
    });
  });
}

function isExpired(month: number, year: number, now = new Date()): boolean {
  return year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
}
