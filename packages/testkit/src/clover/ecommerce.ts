import { identifyCaller, isRefused, type Caller } from './auth.js';
import { DECLINE_CARDS } from './cards.js';
import { ecomError, INVALID_JSON, json, type EmulatorRequest, type EmulatorResponse, type Router } from './http.js';
import { idempotent } from './idempotency.js';
import { cloverId, type CloverCharge, type CloverEmulatorState, type CloverRefund } from './state.js';

export interface EcommerceSettings {
  /** Sales per card before the sandbox declines (seed quirk 16: "after ~6-10 charges"). */
  velocityLimit: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const REFUND_WINDOW_DAYS = 180;

/**
 * The ecommerce host: PAKMS, charges, capture, refunds (full and partial), void and credits,
 * with the sandbox's quirks.
 */
export function ecommerceRoutes(state: CloverEmulatorState, ecommerce: Router, settings: EcommerceSettings): void {
  const withCaller = (handler: (caller: Caller, request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>) =>
    (request: EmulatorRequest) => {
      const caller = identifyCaller(state, request);
      // OAuth tokens and the ecommerce private key work here; the REST API token does not.
      if (isRefused(caller) || caller.kind === 'rest-api-token') return json(401, { message: '401 Unauthorized' });
      return handler(caller, request);
    };

  // Seed quirk 12: PAKMS lives on the ecommerce host (the platform host answers 404).
  ecommerce.on('GET', '/pakms/apikey', withCaller((caller) => {
    const merchant = state.merchants.get(caller.merchantId)!;
    state.pakmsKeys.set(merchant.ecommercePublicKey, merchant.id);
    return json(200, { active: true, apiAccessKey: merchant.ecommercePublicKey, merchantUuid: merchant.id, createdTime: Date.now() });
  }));

  ecommerce.on('POST', '/v1/charges', withCaller((caller, request) => {
    const problem = requireForwardedFor(request) ?? requireObject(request);
    if (problem) return problem;
    return idempotent(state, caller.merchantId, request, () => createCharge(state, settings, caller, request.body as Record<string, unknown>));
  }));

  ecommerce.on('GET', '/v1/charges/:id', withCaller((caller, request) => {
    const charge = ownCharge(state, caller, request.params.id!);
    return charge ? json(200, chargeJson(charge)) : ecomError(404, 'invalid_request_error', 'No such charge', { code: 'resource_missing' });
  }));

  ecommerce.on('POST', '/v1/charges/:id/capture', withCaller((caller, request) => {
    const problem = requireForwardedFor(request);
    if (problem) return problem;
    return idempotent(state, caller.merchantId, request, () => {
      const charge = ownCharge(state, caller, request.params.id!);
      if (!charge) return ecomError(404, 'invalid_request_error', 'No such charge', { code: 'resource_missing' });
      if (charge.status !== 'succeeded' || charge.voided) return ecomError(400, 'invalid_request_error', 'Charge cannot be captured');
      if (charge.captured) return ecomError(400, 'invalid_request_error', 'Charge has already been captured', { code: 'charge_already_captured' });
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (body.amount !== undefined) {
        if (!Number.isInteger(body.amount) || (body.amount as number) <= 0 || (body.amount as number) > charge.amount) {
          return ecomError(400, 'invalid_request_error', 'Capture amount must be a positive integer not above the authorized amount', { param: 'amount' });
        }
        charge.amount = body.amount as number;
      }
      charge.captured = true;
      return json(200, chargeJson(charge));
    });
  }));

  // Seed quirk 14: full refunds only, and the body may carry `charge` and nothing else.
  ecommerce.on('POST', '/v1/refunds', withCaller((caller, request) => {
    const body = request.body;
    if (body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return ecomError(400, 'invalid_request_error', 'Invalid JSON format');
    }
    const keys = Object.keys(body);
    if (keys.length !== 1 || keys[0] !== 'charge' || typeof (body as { charge: unknown }).charge !== 'string') {
      return ecomError(400, 'invalid_request_error', 'Invalid JSON format');
    }
    return idempotent(state, caller.merchantId, request, () =>
      refund(state, caller, (body as { charge: string }).charge, 'full', '/v1/refunds'),
    );
  }));

  ecommerce.on('POST', '/v1/payments/:id/refunds', withCaller((caller, request) => {
    const problem = requireObject(request);
    if (problem) return problem;
    const body = request.body as Record<string, unknown>;
    let amount: number | 'full';
    if (body.fullRefund === true) amount = 'full';
    else if (Number.isInteger(body.amount) && (body.amount as number) > 0) amount = body.amount as number;
    else return ecomError(400, 'invalid_request_error', 'Provide a positive integer amount or fullRefund: true', { param: 'amount' });
    return idempotent(state, caller.merchantId, request, () => refund(state, caller, request.params.id!, amount, '/v1/payments/{id}/refunds'));
  }));

  ecommerce.on('POST', '/v1/payments/:id/void', withCaller((caller, request) =>
    idempotent(state, caller.merchantId, request, () => {
      const charge = ownCharge(state, caller, request.params.id!);
      if (!charge) return ecomError(404, 'invalid_request_error', 'No such payment', { code: 'resource_missing' });
      if (charge.status !== 'succeeded') return ecomError(400, 'invalid_request_error', 'Only a successful payment can be voided');
      if (charge.voided) return ecomError(400, 'invalid_request_error', 'Payment has already been voided', { code: 'already_voided' });
      if (charge.amountRefunded > 0) return ecomError(400, 'invalid_request_error', 'Payment has refunds and cannot be voided');
      if (charge.settled) {
        return ecomError(400, 'invalid_request_error', 'Payment has already been settled; refund it instead', { code: 'payment_settled' });
      }
      charge.voided = true;
      return json(200, { ...chargeJson(charge), status: 'voided' });
    }),
  ));

  ecommerce.on('POST', '/v1/credits', withCaller((caller, request) => {
    const problem = requireForwardedFor(request) ?? requireObject(request);
    if (problem) return problem;
    return idempotent(state, caller.merchantId, request, () => {
      const body = request.body as Record<string, unknown>;
      const invalid = validateAmountAndCurrency(body);
      if (invalid) return invalid;
      const source = useToken(state, caller.merchantId, body.source);
      if ('error' in source) return source.error;
      const credit = {
        id: cloverId(),
        merchantId: caller.merchantId,
        amount: body.amount as number,
        currency: String(body.currency).toLowerCase(),
        created: Date.now(),
        source: { brand: source.card.brand, last4: source.card.number.slice(-4) },
        origin: 'ecommerce' as const,
      };
      state.credits.set(credit.id, credit);
      return json(200, { id: credit.id, object: 'credit', amount: credit.amount, currency: credit.currency, created: credit.created, status: 'succeeded', source: credit.source, description: body.description });
    });
  }));
}

function requireForwardedFor(request: EmulatorRequest): EmulatorResponse | undefined {
  // Clover refuses card-not-present money movements without the client's IP.
  if (!request.headers['x-forwarded-for']) return ecomError(400, 'invalid_request_error', 'x-forwarded-for header is required', { param: 'x-forwarded-for' });
  return undefined;
}

function requireObject(request: EmulatorRequest): EmulatorResponse | undefined {
  if (request.body === INVALID_JSON || typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
    return ecomError(400, 'invalid_request_error', 'Invalid JSON format');
  }
  return undefined;
}

function validateAmountAndCurrency(body: Record<string, unknown>): EmulatorResponse | undefined {
  if (!Number.isInteger(body.amount) || (body.amount as number) <= 0) {
    return ecomError(400, 'invalid_request_error', 'amount must be a positive integer in cents', { param: 'amount' });
  }
  if (typeof body.currency !== 'string' || !/^[A-Za-z]{3}$/.test(body.currency)) {
    return ecomError(400, 'invalid_request_error', 'currency must be an ISO code', { param: 'currency' });
  }
  return undefined;
}

function useToken(state: CloverEmulatorState, merchantId: string, source: unknown) {
  const token = typeof source === 'string' ? state.cardTokens.get(source) : undefined;
  if (!token || token.merchantId !== merchantId) {
    return { error: ecomError(400, 'invalid_request_error', 'Invalid card token', { code: 'invalid_source', param: 'source' }) };
  }
  // Single-pay tokens: one money movement each.
  if (token.used) return { error: ecomError(400, 'invalid_request_error', 'The token has already been used', { code: 'token_already_used', param: 'source' }) };
  token.used = true;
  return token;
}

function createCharge(state: CloverEmulatorState, settings: EcommerceSettings, caller: Caller, body: Record<string, unknown>): EmulatorResponse {
  const invalid = validateAmountAndCurrency(body);
  if (invalid) return invalid;
  const token = useToken(state, caller.merchantId, body.source);
  if ('error' in token) return token.error;
  const { card } = token;
  const charge: CloverCharge = {
    id: cloverId(),
    merchantId: caller.merchantId,
    amount: body.amount as number,
    amountRefunded: 0,
    currency: String(body.currency).toLowerCase(),
    created: Date.now(),
    captured: body.capture !== false,
    status: 'succeeded',
    voided: false,
    settled: false,
    source: { id: token.id, brand: card.brand, exp_month: card.exp_month, exp_year: card.exp_year, first6: card.number.slice(0, 6), last4: card.number.slice(-4) },
    description: typeof body.description === 'string' ? body.description : undefined,
    externalReferenceId: typeof body.external_reference_id === 'string' ? body.external_reference_id : undefined,
    ecomind: typeof body.ecomind === 'string' ? body.ecomind : 'ecom',
    refNum: String(Math.floor(Math.random() * 1e12)).padStart(12, '0'),
    authCode: `OK${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`,
    origin: 'ecommerce',
  };
  const velocityKey = `${caller.merchantId}:${card.number}`;
  const sales = (state.salesPerCard.get(velocityKey) ?? 0) + 1;
  state.salesPerCard.set(velocityKey, sales);
  let declineMessage: string | undefined;
  if (DECLINE_CARDS.has(card.number)) declineMessage = 'DECLINED';
  else if (sales > settings.velocityLimit) declineMessage = 'Declined as sale count per card is greater than configured amount';
  if (declineMessage) {
    charge.status = 'failed';
    charge.captured = false;
    state.charges.set(charge.id, charge);
    return ecomError(402, 'card_error', declineMessage, { code: 'card_declined', declineCode: 'issuer_declined', charge: charge.id });
  }
  state.charges.set(charge.id, charge);
  return json(200, chargeJson(charge));
}

function refund(
  state: CloverEmulatorState,
  caller: Caller,
  chargeId: string,
  requested: number | 'full',
  via: CloverRefund['via'],
): EmulatorResponse {
  const charge = ownCharge(state, caller, chargeId);
  if (!charge) return ecomError(404, 'invalid_request_error', 'No such charge', { code: 'resource_missing' });
  if (charge.status !== 'succeeded' || charge.voided) return ecomError(400, 'invalid_request_error', 'Charge cannot be refunded');
  if (!charge.captured) return ecomError(400, 'invalid_request_error', 'Charge has not been captured; void it instead');
  if (Date.now() - charge.created > REFUND_WINDOW_DAYS * DAY_MS) {
    return ecomError(400, 'invalid_request_error', `Refunds are only allowed within ${REFUND_WINDOW_DAYS} days of the payment`, { code: 'refund_window_expired' });
  }
  const remaining = charge.amount - charge.amountRefunded;
  if (remaining <= 0) return ecomError(400, 'invalid_request_error', 'Charge has already been fully refunded', { code: 'charge_already_refunded' });
  const amount = requested === 'full' ? remaining : requested;
  if (amount > remaining) {
    return ecomError(400, 'invalid_request_error', `Refund amount ${amount} exceeds the refundable amount ${remaining}`, { code: 'amount_too_large', param: 'amount' });
  }
  charge.amountRefunded += amount;
  const created: CloverRefund = { id: cloverId(), merchantId: caller.merchantId, charge: charge.id, amount, currency: charge.currency, created: Date.now(), via };
  state.refunds.set(created.id, created);
  return json(200, { id: created.id, object: 'refund', amount, charge: charge.id, currency: charge.currency, created: created.created, status: 'succeeded' });
}

function ownCharge(state: CloverEmulatorState, caller: Caller, id: string): CloverCharge | undefined {
  const charge = state.charges.get(id);
  return charge && charge.merchantId === caller.merchantId ? charge : undefined;
}

export function chargeJson(charge: CloverCharge) {
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_refunded: charge.amountRefunded,
    currency: charge.currency,
    created: charge.created,
    captured: charge.captured,
    paid: charge.status === 'succeeded',
    refunded: charge.amountRefunded >= charge.amount && charge.amount > 0,
    status: charge.voided ? 'voided' : charge.status,
    ref_num: charge.refNum,
    auth_code: charge.authCode,
    outcome: charge.status === 'succeeded' ? { network_status: 'approved_by_network', type: 'authorized' } : { network_status: 'declined_by_network', type: 'issuer_declined' },
    source: charge.source,
    description: charge.description,
    external_reference_id: charge.externalReferenceId,
    ecomind: charge.ecomind,
  };
}
