import type { Database, Logger, Runnable } from '@switchboard/kit';
import { DispatcherAllowedHost, DispatcherMerchantRoute, DispatcherSetting } from './routing-entities.js';
import { buildRoutingTable, checkHttpUrl, hostAllowed, normalizeHost, type ConfiguredRoutes, type RoutingTable } from './routing-rules.js';

const APP_ID_SETTING = 'app_id';

export class RoutingInputError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'RoutingInputError';
  }
}

export interface MerchantRouteInput {
  merchantId: string;
  webhookUrl?: string | null;
  baseUrl?: string | null;
  customer?: string | null;
}

/**
 * The dispatcher's routing tables: configuration overlaid with admin edits (stored), kept in
 * memory so a webhook never waits for the database to be routed. Each replica re-reads the edits
 * every `refreshMs` (and at once after an edit it made itself).
 */
export class DispatcherRouting implements Runnable {
  readonly name = 'clover-dispatcher-routing';
  private current: RoutingTable;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: { db: Database; configured: ConfiguredRoutes; refreshMs: number; logger: Logger }) {
    this.current = buildRoutingTable(deps.configured, { hosts: [], merchants: [] });
  }

  get table(): RoutingTable {
    return this.current;
  }

  async refresh(): Promise<RoutingTable> {
    const em = this.deps.db.em();
    const [merchants, hosts, appId] = await Promise.all([
      em.find(DispatcherMerchantRoute, {}),
      em.find(DispatcherAllowedHost, {}),
      em.findOne(DispatcherSetting, { name: APP_ID_SETTING }),
    ]);
    this.current = buildRoutingTable(this.deps.configured, { merchants, hosts, appId: appId?.value ?? null });
    return this.current;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      this.refresh().catch((error) => this.deps.logger.warn({ err: (error as Error).message }, 'clover dispatcher routing refresh failed; keeping the last table'));
    }, this.deps.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  async setMerchantRoute(input: MerchantRouteInput, actor: string): Promise<RoutingTable> {
    const merchantId = input.merchantId.trim();
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(merchantId)) throw new RoutingInputError('merchantId is not a Clover merchant id', 'merchantId');
    const webhookUrl = input.webhookUrl?.trim() || null;
    const baseUrl = input.baseUrl?.trim().replace(/\/+$/, '') || null;
    if (!webhookUrl && !baseUrl) throw new RoutingInputError('give a webhookUrl, a baseUrl or both', 'webhookUrl');
    try {
      if (webhookUrl) checkHttpUrl(webhookUrl, 'webhookUrl');
    } catch (error) {
      throw new RoutingInputError((error as Error).message, 'webhookUrl');
    }
    if (baseUrl) {
      let url: URL;
      try {
        url = checkHttpUrl(baseUrl, 'baseUrl');
      } catch (error) {
        throw new RoutingInputError((error as Error).message, 'baseUrl');
      }
      // /clover/launch redirects there eventually; the callback would refuse it otherwise.
      if (!hostAllowed(url, this.current.allowedHosts)) {
        throw new RoutingInputError(`host ${url.host} is not in the redirect allow-list: allow it first (setCloverDispatcherHostAllowed)`, 'baseUrl');
      }
    }
    const customer = input.customer?.trim().slice(0, 200) || null;
    await this.deps.db.em().upsert(DispatcherMerchantRoute, { merchantId, webhookUrl, baseUrl, customer, removed: false, updatedAt: new Date(), updatedBy: actor });
    this.deps.logger.info({ merchantId, webhookUrl, baseUrl, actor }, 'clover dispatcher route set');
    return this.refresh();
  }

  async removeMerchantRoute(merchantId: string, actor: string): Promise<RoutingTable> {
    if (!this.current.merchants.has(merchantId)) throw new RoutingInputError(`merchant ${merchantId} has no route`, 'merchantId');
    await this.deps.db.em().upsert(DispatcherMerchantRoute, { merchantId, webhookUrl: null, baseUrl: null, customer: null, removed: true, updatedAt: new Date(), updatedBy: actor });
    this.deps.logger.info({ merchantId, actor }, 'clover dispatcher route removed');
    return this.refresh();
  }

  async setHostAllowed(rawHost: string, allowed: boolean, actor: string): Promise<RoutingTable> {
    let host: string;
    try {
      host = normalizeHost(rawHost);
    } catch (error) {
      throw new RoutingInputError((error as Error).message, 'host');
    }
    await this.deps.db.em().upsert(DispatcherAllowedHost, { host, allowed, updatedAt: new Date(), updatedBy: actor });
    this.deps.logger.info({ host, allowed, actor }, 'clover dispatcher allow-list changed');
    return this.refresh();
  }

  /** `null` goes back to `CLOVER_DISPATCHER_APP_ID`. */
  async setAppId(appId: string | null, actor: string): Promise<RoutingTable> {
    const value = appId?.trim() || null;
    if (value && !/^[A-Za-z0-9]{1,64}$/.test(value)) throw new RoutingInputError('appId is not a Clover app id', 'appId');
    await this.deps.db.em().upsert(DispatcherSetting, { name: APP_ID_SETTING, value, updatedAt: new Date(), updatedBy: actor });
    this.deps.logger.info({ appId: value, actor }, 'clover dispatcher app id changed');
    return this.refresh();
  }
}
