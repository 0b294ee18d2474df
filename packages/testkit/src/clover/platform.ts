import { identifyCaller, isRefused, type Caller, type CallerKind } from './auth.js';
import { json, type EmulatorRequest, type EmulatorResponse, type Router } from './http.js';
import type { CloverCharge, CloverCredit, CloverEmulatorState } from './state.js';

/**
 * Platform API v3 on the API host. Seed: the ecommerce private key works only for
 * `GET /v3/merchants/{mId}`; OAuth tokens and the REST API token work everywhere here.
 */
export function platformRoutes(state: CloverEmulatorState, api: Router): void {
  const merchantScoped = (accepted: CallerKind[], handler: (caller: Caller, request: EmulatorRequest) => EmulatorResponse) =>
    (request: EmulatorRequest) => {
      const caller = identifyCaller(state, request);
      if (isRefused(caller) || !accepted.includes(caller.kind)) return json(401, { message: '401 Unauthorized' });
      if (caller.merchantId !== request.params.mId) return json(401, { message: '401 Unauthorized' });
      return handler(caller, request);
    };
  const all: CallerKind[] = ['oauth', 'rest-api-token', 'ecommerce-private-key'];
  const tokens: CallerKind[] = ['oauth', 'rest-api-token'];

  api.on('GET', '/v3/merchants/:mId', merchantScoped(all, (caller) => {
    const merchant = state.merchants.get(caller.merchantId)!;
    return json(200, { href: `/v3/merchants/${merchant.id}`, id: merchant.id, name: merchant.name });
  }));

  api.on('GET', '/v3/merchants/:mId/devices', merchantScoped(tokens, (caller) => {
    const merchant = state.merchants.get(caller.merchantId)!;
    return json(200, {
      elements: [...merchant.devices.values()].map((device) => ({
        href: `/v3/merchants/${merchant.id}/devices/${device.id}`,
        id: device.id,
        name: device.name,
        model: device.model,
        serial: device.serial,
        productName: device.productName,
        deviceTypeName: device.model,
      })),
    });
  }));

  api.on('GET', '/v3/merchants/:mId/payments/:id', merchantScoped(tokens, (caller, request) => {
    const charge = state.charges.get(request.params.id!);
    if (!charge || charge.merchantId !== caller.merchantId) return json(404, { message: 'Not Found' });
    return json(200, paymentJson(state, charge));
  }));

  api.on('GET', '/v3/merchants/:mId/payments', merchantScoped(tokens, (caller, request) => {
    const wanted = filterValue(request, 'externalPaymentId');
    const elements = [...state.charges.values()]
      .filter((charge) => charge.merchantId === caller.merchantId && (wanted === undefined || charge.externalPaymentId === wanted))
      .map((charge) => paymentJson(state, charge));
    return json(200, { elements });
  }));

  api.on('GET', '/v3/merchants/:mId/credits', merchantScoped(tokens, (caller, request) => {
    const wanted = filterValue(request, 'externalReferenceId');
    const elements = [...state.credits.values()]
      .filter((credit) => credit.merchantId === caller.merchantId && (wanted === undefined || credit.externalReferenceId === wanted))
      .map(creditJson);
    return json(200, { elements });
  }));
}

/** `?filter=externalPaymentId=ABC` */
function filterValue(request: EmulatorRequest, field: string): string | undefined {
  for (const filter of request.query.getAll('filter')) {
    const [name, value] = filter.split('=');
    if (name === field && value !== undefined) return value;
  }
  return undefined;
}

/** A Platform API payment object: what webhooks point at and what terminal recovery looks up. */
export function paymentJson(state: CloverEmulatorState, charge: CloverCharge) {
  const refunds = [...state.refunds.values()].filter((refund) => refund.charge === charge.id);
  return {
    href: `/v3/merchants/${charge.merchantId}/payments/${charge.id}`,
    id: charge.id,
    order: { id: `O${charge.id.slice(1)}` },
    device: charge.deviceId ? { id: charge.deviceId } : undefined,
    amount: charge.amount,
    tipAmount: 0,
    taxAmount: 0,
    result: charge.status === 'succeeded' ? 'SUCCESS' : 'FAIL',
    voided: charge.voided || undefined,
    externalPaymentId: charge.externalPaymentId,
    createdTime: charge.created,
    modifiedTime: Date.now(),
    tender: { label: 'Credit Card', labelKey: 'com.clover.tender.credit_card' },
    cardTransaction: {
      cardType: charge.source.brand === 'MC' ? 'MC' : charge.source.brand,
      first6: charge.source.first6,
      last4: charge.source.last4,
      type: 'AUTH',
      state: 'CLOSED',
      authCode: charge.authCode,
      referenceId: charge.refNum,
    },
    refunds: { elements: refunds.map((refund) => ({ id: refund.id, amount: refund.amount, createdTime: refund.created, payment: { id: charge.id } })) },
  };
}

export function creditJson(credit: CloverCredit) {
  return {
    id: credit.id,
    amount: credit.amount,
    createdTime: credit.created,
    externalReferenceId: credit.externalReferenceId,
    cardTransaction: credit.source ? { cardType: credit.source.brand, last4: credit.source.last4 } : undefined,
  };
}
