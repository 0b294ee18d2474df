import type { IssuedCard } from './legacy-payloads.js';

/** What came back from one call to WEX (or its simulator), before any interpretation. */
export type WexAnswer =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'error'; error: 'timeout' | 'network' | 'refused-url'; message: string };

/**
 * What one call to WEX means for the card request:
 * - `issued`: a card exists; it is answered and delivered to Odoo.
 * - `declined`: WEX answered and refused; final — the same request re-sent gets the same answer.
 * - `failed`: nothing was issued (credentials, WEX down, busy); the same request may be re-sent.
 * - `unknown`: WEX may have issued a card we never saw (timeout, cut connection, garbled answer);
 *   never retried automatically, because a retry could issue a second card.
 */
export type WexOutcome =
  | { type: 'issued'; card: IssuedCard }
  | { type: 'declined' | 'failed' | 'unknown'; httpStatus: number; error: string };

const SUCCESS_PREFIX = 'Success:';

function messageOf(body: unknown, text: string): string {
  if (typeof body === 'object' && body !== null) {
    for (const key of ['detailed_response_message', 'message', 'error', 'error_description']) {
      const value = (body as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim()) return value.trim();
    }
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.slice(0, 200);
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** WEX's `virtual_card` object → the card, or what is wrong with it. */
export function readVirtualCard(value: unknown): IssuedCard | string {
  if (typeof value !== 'object' || value === null) return 'virtual_card is missing';
  const card = value as Record<string, unknown>;
  if (typeof card.number !== 'string' || !/^\d{12,19}$/.test(card.number)) return 'virtual_card.number is missing or not 12-19 digits';
  if (typeof card.security_code !== 'string' || !/^\d{3,4}$/.test(card.security_code)) return 'virtual_card.security_code is missing or not 3-4 digits';
  const expiration = typeof card.expiration === 'string' ? /^(\d{4})-(\d{2})-\d{2}/.exec(card.expiration) : null;
  if (!expiration || Number(expiration[2]) < 1 || Number(expiration[2]) > 12) return 'virtual_card.expiration is missing or not an ISO date';
  return { number: card.number, securityCode: card.security_code, expirationYear: expiration[1]!, expirationMonth: expiration[2]! };
}

/** Pure: the meaning of a WEX answer (see `WexOutcome`). */
export function classifyWexAnswer(answer: WexAnswer, timeoutMs: number): WexOutcome {
  if (answer.kind === 'error') {
    if (answer.error === 'timeout') {
      return { type: 'unknown', httpStatus: 504, error: `WEX API did not answer within ${timeoutMs / 1000} s; the card may or may not have been issued` };
    }
    if (answer.error === 'refused-url') return { type: 'failed', httpStatus: 502, error: `WEX API URL refused: ${answer.message}` };
    // Refused or unresolvable: the request never reached WEX. Anything else may have reached it.
    const neverSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(answer.message);
    return neverSent
      ? { type: 'failed', httpStatus: 502, error: `Wex API request failed: ${answer.message}` }
      : { type: 'unknown', httpStatus: 502, error: `Wex API request failed: ${answer.message}; the card may or may not have been issued` };
  }

  const { status } = answer;
  const body = parseBody(answer.body);
  const message = messageOf(body, answer.body);
  if (status >= 200 && status < 300) {
    if (typeof body !== 'object' || body === null) {
      return { type: 'unknown', httpStatus: 502, error: `WEX API answered HTTP ${status} with a body that is not a JSON object; the card may or may not have been issued` };
    }
    const detailed = (body as Record<string, unknown>).detailed_response_message;
    const virtualCard = (body as Record<string, unknown>).virtual_card;
    if (typeof detailed === 'string' && detailed.startsWith(SUCCESS_PREFIX)) {
      const card = readVirtualCard(virtualCard);
      if (typeof card === 'string') {
        return { type: 'unknown', httpStatus: 502, error: `WEX API reported success but its answer is unusable (${card}); the card may have been issued` };
      }
      return { type: 'issued', card };
    }
    if (virtualCard !== undefined && virtualCard !== null) {
      return { type: 'unknown', httpStatus: 502, error: `WEX API returned a virtual card without a success message (${message || 'no message'}); not used` };
    }
    // A 2xx without "Success:" is how WEX declines (the legacy proxy passed it on as a 200).
    return { type: 'declined', httpStatus: 402, error: message || `WEX API answered HTTP ${status} without a success message` };
  }
  if (status === 401 || status === 403) {
    // Our credentials, not Odoo's: answering 401 would tell Odoo its own token is wrong.
    return { type: 'failed', httpStatus: 502, error: `WEX API refused the proxy's credentials (HTTP ${status})${message ? `: ${message}` : ''}` };
  }
  if (status === 408 || status === 429 || (status >= 500 && status !== 504)) {
    return { type: 'failed', httpStatus: 502, error: `WEX API error (HTTP ${status})${message ? `: ${message}` : ''}` };
  }
  if (status === 504) {
    return { type: 'unknown', httpStatus: 504, error: `WEX API gateway timeout (HTTP 504); the card may or may not have been issued` };
  }
  if (status >= 400 && status < 500) return { type: 'declined', httpStatus: status, error: message || `WEX API rejected the request (HTTP ${status})` };
  return { type: 'unknown', httpStatus: 502, error: `WEX API answered an unexpected HTTP ${status}` };
}
