import { setTimeout as sleep } from 'node:timers/promises';
import { ecommerceRoutes } from './ecommerce.js';
import { Router, serveHost, type CloverHost, type EmulatorRequest, type EmulatorResponse, type HostServer, type RecordedRequest } from './http.js';
import { oauthRoutes, type OAuthSettings } from './oauth.js';
import { platformRoutes } from './platform.js';
import { CLOVER_DOCUMENTED_LIMITS, RestRateLimits, type EmulatedRateLimits } from './rate-limits.js';
import { restPayRoutes } from './rest-pay.js';
import { cloverId, CloverEmulatorState, randomToken, type CloverApp, type CloverCharge, type CloverDevice, type CloverMerchant, type DeviceOutcome } from './state.js';
import { tokenRoutes } from './tokens.js';

export interface CloverEmulatorOptions {
  /** Sandbox access tokens live ~30 minutes (seed quirk 5). */
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Sales per card before "Declined as sale count per card is greater than configured amount". */
  velocityLimit?: number;
  /** `production` also requires the RAID as X-POS-Id and refuses past expiry years. */
  mode?: 'sandbox' | 'production';
  /** Delay added to every request (ms). */
  latencyMs?: number;
  /** Platform API rate limits (429 beyond them): Clover's documented ones unless set; `false` lifts them. */
  rateLimits?: EmulatedRateLimits | false;
}

export interface InjectedFailure {
  host?: CloverHost;
  method?: string;
  path: string | RegExp;
  /** Answer with this instead of the real handler; omit with `hangMs` to only delay. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection without an answer (the work is not done). */
  drop?: boolean;
  /** Do the work, then drop the connection: the caller never learns the outcome. */
  loseResponse?: boolean;
  hangMs?: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

export interface CloverEmulatorControl {
  createApp(input?: Partial<CloverApp>): CloverApp;
  createMerchant(input?: { id?: string; name?: string }): CloverMerchant;
  addDevice(merchantId: string, input?: Partial<Pick<CloverDevice, 'serial' | 'name' | 'model' | 'productName' | 'online'>>): CloverDevice;
  /** What the customer does at the device next (queue; default approve). */
  queueDeviceOutcome(serial: string, outcome: DeviceOutcome): void;
  setDeviceOnline(serial: string, online: boolean): void;
  /** The merchant who logs in on the authorize page. */
  loginAs(merchantId: string): void;
  /** Every access token issued so far stops working (as if 30 minutes had passed). */
  expireAccessTokens(): void;
  /**
   * A payment made at Clover outside our system (e.g. on the merchant's own register): it shows up
   * in the Platform API (`GET /v3/merchants/{mId}/payments/{id}`), as webhooks would point at.
   */
  createPayment(merchantId: string, input?: { amount?: number; result?: 'SUCCESS' | 'FAIL'; externalPaymentId?: string }): CloverCharge;
  /** Make a charge look `days` old (the 180-day refund limit). */
  ageCharge(chargeId: string, days: number): void;
  /** The batch closed: the charge can no longer be voided. */
  settleCharge(chargeId: string): void;
  failNext(failure: InjectedFailure): void;
  /** Requests received so far, optionally filtered. */
  requests(filter?: { host?: CloverHost; method?: string; path?: string | RegExp }): RecordedRequest[];
  /** Calls to `/oauth/v2/refresh`, good or bad. */
  readonly refreshAttempts: number;
  /** The most Platform API requests one token had in progress at once (0 without rate limits). */
  peakConcurrencyPerToken(): number;
  reset(): void;
}

export interface CloverEmulator {
  /** The API host (Platform API v3, OAuth token/refresh, REST Pay Display under /connect/v1). */
  url: string;
  urls: { api: string; ui: string; ecommerce: string; token: string };
  state: CloverEmulatorState;
  control: CloverEmulatorControl;
  /** Created at start: one app and one merchant ("Test Merc 2") with one online device. */
  app: CloverApp;
  merchant: CloverMerchant;
  device: CloverDevice;
  stop(): Promise<void>;
}

/**
 * Starts an emulated Clover on four free ports — the UI host (OAuth authorize), the API host,
 * the ecommerce host and the tokenization host — faithful to the sandbox quirks in
 * `seeds/clover-provider-NOTES.md`.
 */
export async function startCloverEmulator(options: CloverEmulatorOptions = {}): Promise<CloverEmulator> {
  const state = new CloverEmulatorState();
  const mode = options.mode ?? 'sandbox';
  const oauth: OAuthSettings = {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 30 * 60,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 365 * 24 * 3600,
    refreshAttempts: 0,
  };
  const routers: Record<CloverHost, Router> = { api: new Router(), ui: new Router(), ecommerce: new Router(), token: new Router() };
  oauthRoutes(state, oauth, routers.ui, routers.api);
  platformRoutes(state, routers.api);
  restPayRoutes(state, routers.api, { mode });
  ecommerceRoutes(state, routers.ecommerce, { velocityLimit: options.velocityLimit ?? 8 });
  tokenRoutes(state, routers.token, { mode });

  const recorded: RecordedRequest[] = [];
  let failures: (InjectedFailure & { left: number })[] = [];
  const limits = options.rateLimits === false ? undefined : new RestRateLimits(state, options.rateLimits ?? CLOVER_DOCUMENTED_LIMITS);
  const intercept = async (request: EmulatorRequest, next: () => Promise<EmulatorResponse>): Promise<EmulatorResponse> => {
    if (!limits?.applies(request)) return answer(request, next);
    const admitted = limits.admit(request);
    if (!admitted.ok) return admitted.response;
    try {
      return await answer(request, next);
    } finally {
      admitted.finish();
    }
  };
  const answer = async (request: EmulatorRequest, next: () => Promise<EmulatorResponse>): Promise<EmulatorResponse> => {
    if (options.latencyMs) await sleep(options.latencyMs);
    const failure = failures.find(
      (f) =>
        f.left > 0 &&
        (!f.host || f.host === request.host) &&
        (!f.method || f.method === request.method) &&
        (typeof f.path === 'string' ? f.path === request.path : f.path.test(request.path)),
    );
    if (!failure) return next();
    failure.left -= 1;
    if (failure.hangMs) await sleep(failure.hangMs);
    if (failure.drop) return { status: 0, destroy: true };
    if (failure.loseResponse) return { ...(await next()), destroy: true };
    if (failure.status === undefined) return next();
    return { status: failure.status, body: failure.body ?? { message: 'injected failure' }, headers: failure.headers };
  };

  const servers: Partial<Record<CloverHost, HostServer>> = {};
  for (const host of ['api', 'ui', 'ecommerce', 'token'] as const) {
    servers[host] = await serveHost(host, routers[host], { record: (r) => recorded.push(r), intercept });
  }

  const findDevice = (serial: string): CloverDevice => {
    for (const merchant of state.merchants.values()) {
      const device = merchant.devices.get(serial);
      if (device) return device;
    }
    throw new Error(`no emulated device ${serial}`);
  };

  const control: CloverEmulatorControl = {
    createApp(input = {}) {
      const id = input.id ?? cloverId();
      const app: CloverApp = { id, secret: input.secret ?? randomToken(), raid: input.raid ?? `${cloverId()}.${id}` };
      state.apps.set(app.id, app);
      return app;
    },
    createMerchant(input = {}) {
      const merchant: CloverMerchant = {
        id: input.id ?? cloverId(),
        name: input.name ?? 'Test Merchant',
        ecommercePublicKey: randomToken('pk_'),
        ecommercePrivateKey: randomToken('sk_'),
        restApiToken: randomToken('rest_'),
        devices: new Map(),
      };
      state.merchants.set(merchant.id, merchant);
      return merchant;
    },
    addDevice(merchantId, input = {}) {
      const merchant = state.merchants.get(merchantId);
      if (!merchant) throw new Error(`no emulated merchant ${merchantId}`);
      const device: CloverDevice = {
        id: cloverId(),
        serial: input.serial ?? `C0${cloverId().slice(0, 10)}`,
        name: input.name ?? 'Clover Flex',
        model: input.model ?? 'Clover_C405',
        productName: input.productName ?? 'Clover Flex',
        online: input.online ?? true,
        nextOutcomes: [],
        screens: [],
        busy: false,
      };
      merchant.devices.set(device.serial, device);
      return device;
    },
    queueDeviceOutcome(serial, outcome) {
      findDevice(serial).nextOutcomes.push(outcome);
    },
    setDeviceOnline(serial, online) {
      findDevice(serial).online = online;
    },
    loginAs(merchantId) {
      oauth.loginMerchantId = merchantId;
    },
    expireAccessTokens() {
      for (const token of state.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, Date.now() - 1);
    },
    createPayment(merchantId, input = {}) {
      if (!state.merchants.has(merchantId)) throw new Error(`no emulated merchant ${merchantId}`);
      const charge: CloverCharge = {
        id: cloverId(),
        merchantId,
        amount: input.amount ?? 1000,
        amountRefunded: 0,
        currency: 'usd',
        created: Date.now(),
        captured: input.result !== 'FAIL',
        status: input.result === 'FAIL' ? 'failed' : 'succeeded',
        voided: false,
        settled: false,
        source: { id: 'register', brand: 'VISA', exp_month: '12', exp_year: '2030', first6: '424242', last4: '4242' },
        ecomind: 'retail',
        refNum: String(Math.floor(Math.random() * 1e12)).padStart(12, '0'),
        authCode: 'OK0000',
        origin: 'terminal',
        externalPaymentId: input.externalPaymentId,
      };
      state.charges.set(charge.id, charge);
      return charge;
    },
    ageCharge(chargeId, days) {
      const charge = state.charges.get(chargeId);
      if (!charge) throw new Error(`no emulated charge ${chargeId}`);
      charge.created -= days * 24 * 60 * 60 * 1000;
    },
    settleCharge(chargeId) {
      const charge = state.charges.get(chargeId);
      if (!charge) throw new Error(`no emulated charge ${chargeId}`);
      charge.settled = true;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    requests(filter = {}) {
      return recorded.filter(
        (r) =>
          (!filter.host || r.host === filter.host) &&
          (!filter.method || r.method === filter.method) &&
          (!filter.path || (typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path))),
      );
    },
    get refreshAttempts() {
      return oauth.refreshAttempts;
    },
    peakConcurrencyPerToken() {
      return limits?.peakPerToken() ?? 0;
    },
    reset() {
      recorded.length = 0;
      failures = [];
      oauth.refreshAttempts = 0;
    },
  };

  const app = control.createApp();
  const merchant = control.createMerchant({ id: 'ASVPRFJ5D5GF1', name: 'Test Merc 2' });
  const device = control.addDevice(merchant.id, { serial: 'C043UQ03550001', name: 'Front counter' });

  return {
    url: servers.api!.url,
    urls: { api: servers.api!.url, ui: servers.ui!.url, ecommerce: servers.ecommerce!.url, token: servers.token!.url },
    state,
    control,
    app,
    merchant,
    device,
    async stop() {
      await Promise.all(Object.values(servers).map((server) => server.close()));
    },
  };
}
