import { setTimeout as sleep } from 'node:timers/promises';
import { identifyCaller, isRefused, type Caller } from './auth.js';
import { INVALID_JSON, json, type EmulatorRequest, type EmulatorResponse, type Router } from './http.js';
import { idempotent } from './idempotency.js';
import { creditJson, paymentJson } from './platform.js';
import { cloverId, type CloverCharge, type CloverDevice, type CloverEmulatorState, type DeviceOutcome } from './state.js';

export interface RestPaySettings {
  mode: 'sandbox' | 'production';
}

/** Card the emulated customer taps on the device. */
const TERMINAL_CARD = { brand: 'VISA', first6: '476173', last4: '0119', exp_month: '12', exp_year: '2030' };

/**
 * REST Pay Display (Cloud Pay Display) under `/connect/v1` on the API host: OAuth tokens only
 * (seed quirk 22), `X-Clover-Device-Id` + `X-POS-Id` on every call (the RAID in production,
 * quirk 20), an `Idempotency-Key` on money movements, and a device that must be online
 * (quirk 21). Payments are synchronous: the answer comes when the customer is done.
 */
export function restPayRoutes(state: CloverEmulatorState, api: Router, settings: RestPaySettings): void {
  type Ctx = { caller: Caller; device: CloverDevice; request: EmulatorRequest };
  const deviceCall = (handler: (ctx: Ctx) => EmulatorResponse | Promise<EmulatorResponse>, options: { financial?: boolean } = {}) =>
    (request: EmulatorRequest) => {
      const caller = identifyCaller(state, request);
      if (isRefused(caller)) return json(401, { message: '401 Unauthorized' });
      if (caller.kind !== 'oauth') {
        return json(401, { message: 'Integrators must use OAuth tokens to connect to the Clover device using this app.' });
      }
      const posId = request.headers['x-pos-id'];
      if (!posId) return json(400, { message: 'X-POS-Id header is required' });
      if (settings.mode === 'production' && posId !== state.apps.get(caller.appId!)?.raid) {
        return json(403, { message: 'X-POS-Id must be the Remote App ID (RAID) of the app' });
      }
      const serial = request.headers['x-clover-device-id'];
      if (!serial) return json(400, { message: 'X-Clover-Device-Id header is required' });
      const device = state.merchants.get(caller.merchantId)?.devices.get(serial);
      if (!device) return json(404, { message: `Device ${serial} not found for this merchant` });
      if (!device.online) return json(503, { code: 'DEVICE_NOT_CONNECTED', message: 'Cloud Pay Display is not running on the device' });
      if (options.financial && !request.headers['idempotency-key']) return json(400, { message: 'Idempotency-Key header is required' });
      return handler({ caller, device, request });
    };

  api.on('POST', '/connect/v1/device/ping', deviceCall(({ device }) => {
    device.screens.push('ping');
    return json(200, {});
  }));

  api.on('POST', '/connect/v1/device/welcome', deviceCall(({ device }) => {
    device.screens.push('welcome');
    return json(200, {});
  }));

  api.on('POST', '/connect/v1/device/display', deviceCall(({ device, request }) => {
    device.screens.push(`display:${String((request.body as { text?: string } | undefined)?.text ?? '')}`);
    return json(200, {});
  }));

  api.on('POST', '/connect/v1/payments', deviceCall(({ caller, device, request }) =>
    idempotent(state, caller.merchantId, request, async () => {
      const body = request.body;
      if (body === INVALID_JSON || typeof body !== 'object' || body === null) return json(400, { message: 'Invalid JSON body' });
      const { amount, externalPaymentId } = body as { amount?: unknown; externalPaymentId?: unknown };
      if (!Number.isInteger(amount) || (amount as number) <= 0) return json(400, { message: 'amount must be a positive integer in cents' });
      if (typeof externalPaymentId !== 'string' || !externalPaymentId || externalPaymentId.length > 32) {
        return json(400, { message: 'externalPaymentId is required (at most 32 characters)' });
      }
      return atDevice(device, async (outcome) => {
        if (outcome.result === 'cancel') return json(409, { code: 'CANCELED', message: 'The payment was canceled on the device' });
        const charge = terminalCharge(caller.merchantId, device, amount as number, externalPaymentId, outcome.result === 'decline' ? 'failed' : 'succeeded');
        state.charges.set(charge.id, charge);
        const payment = paymentJson(state, charge);
        if (outcome.result === 'decline') return json(402, { code: 'DECLINED', message: 'Transaction declined', payment });
        return { status: 200, body: { payment }, destroy: outcome.result === 'lose-response' };
      });
    }), { financial: true }));

  api.on('POST', '/connect/v1/credits', deviceCall(({ caller, device, request }) =>
    idempotent(state, caller.merchantId, request, async () => {
      const body = request.body;
      if (body === INVALID_JSON || typeof body !== 'object' || body === null) return json(400, { message: 'Invalid JSON body' });
      const { amount, externalReferenceId } = body as { amount?: unknown; externalReferenceId?: unknown };
      if (!Number.isInteger(amount) || (amount as number) <= 0) return json(400, { message: 'amount must be a positive integer in cents' });
      return atDevice(device, async (outcome) => {
        if (outcome.result === 'cancel') return json(409, { code: 'CANCELED', message: 'The credit was canceled on the device' });
        if (outcome.result === 'decline') return json(402, { code: 'DECLINED', message: 'Transaction declined' });
        const credit = {
          id: cloverId(),
          merchantId: caller.merchantId,
          amount: amount as number,
          currency: 'usd',
          created: Date.now(),
          source: { brand: TERMINAL_CARD.brand, last4: TERMINAL_CARD.last4 },
          externalReferenceId: typeof externalReferenceId === 'string' ? externalReferenceId : undefined,
          origin: 'terminal' as const,
        };
        state.credits.set(credit.id, credit);
        return { status: 200, body: { credit: creditJson(credit) }, destroy: outcome.result === 'lose-response' };
      });
    }), { financial: true }));
}

/** One transaction at a time per device; the customer takes `delayMs` to act. */
async function atDevice(device: CloverDevice, work: (outcome: DeviceOutcome) => Promise<EmulatorResponse>): Promise<EmulatorResponse> {
  if (device.busy) return json(409, { code: 'DEVICE_BUSY', message: 'The device is processing another transaction' });
  device.busy = true;
  try {
    const outcome = device.nextOutcomes.shift() ?? { result: 'approve' };
    if (outcome.delayMs) await sleep(outcome.delayMs);
    return await work(outcome);
  } finally {
    device.busy = false;
  }
}

function terminalCharge(merchantId: string, device: CloverDevice, amount: number, externalPaymentId: string, status: 'succeeded' | 'failed'): CloverCharge {
  return {
    id: cloverId(),
    merchantId,
    amount,
    amountRefunded: 0,
    currency: 'usd',
    created: Date.now(),
    captured: status === 'succeeded',
    status,
    voided: false,
    settled: false,
    source: { id: `device:${device.serial}`, ...TERMINAL_CARD },
    ecomind: 'retail',
    refNum: String(Math.floor(Math.random() * 1e12)).padStart(12, '0'),
    authCode: `OK${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`,
    origin: 'terminal',
    externalPaymentId,
    deviceId: device.id,
  };
}
