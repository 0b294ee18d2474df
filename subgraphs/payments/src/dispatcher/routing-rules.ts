/**
 * The dispatcher's routing decisions as pure functions: which customer gets a webhook, whether a
 * redirect target is allowed, and the URLs of the OAuth fan-out (seed "Multi-tenant OAuth").
 */

export type RouteSource = 'config' | 'admin';

export interface MerchantRoute {
  merchantId: string;
  /** Where webhooks for this merchant are forwarded. */
  webhookUrl?: string;
  /** The customer installation `/clover/launch` sends this merchant back to. */
  baseUrl?: string;
  customer?: string;
  source: RouteSource;
}

export interface AllowedHost {
  /** `erp.example.ca`, `erp.example.ca:8443` or `*.example.ca`. */
  host: string;
  source: RouteSource;
}

export interface RoutingTable {
  appId?: string;
  appIdSource?: RouteSource;
  allowedHosts: AllowedHost[];
  merchants: ReadonlyMap<string, MerchantRoute>;
}

export interface ConfiguredRoutes {
  appId?: string;
  allowedHosts: string[];
  webhookUrls: Record<string, string>;
  baseUrls: Record<string, string>;
}

export interface AdminRoutes {
  appId?: string | null;
  hosts: { host: string; allowed: boolean }[];
  merchants: { merchantId: string; webhookUrl?: string | null; baseUrl?: string | null; customer?: string | null; removed: boolean }[];
}

/** Configuration first; each admin row replaces (or, when `removed`, hides) what it names. */
export function buildRoutingTable(config: ConfiguredRoutes, admin: AdminRoutes): RoutingTable {
  const merchants = new Map<string, MerchantRoute>();
  for (const merchantId of new Set([...Object.keys(config.webhookUrls), ...Object.keys(config.baseUrls)])) {
    merchants.set(merchantId, {
      merchantId,
      ...(config.webhookUrls[merchantId] ? { webhookUrl: config.webhookUrls[merchantId] } : {}),
      ...(config.baseUrls[merchantId] ? { baseUrl: config.baseUrls[merchantId] } : {}),
      source: 'config',
    });
  }
  for (const row of admin.merchants) {
    if (row.removed) {
      merchants.delete(row.merchantId);
      continue;
    }
    merchants.set(row.merchantId, {
      merchantId: row.merchantId,
      ...(row.webhookUrl ? { webhookUrl: row.webhookUrl } : {}),
      ...(row.baseUrl ? { baseUrl: row.baseUrl } : {}),
      ...(row.customer ? { customer: row.customer } : {}),
      source: 'admin',
    });
  }
  const hosts = new Map<string, AllowedHost>(config.allowedHosts.map((host) => [host, { host, source: 'config' as const }]));
  for (const row of admin.hosts) {
    if (row.allowed) hosts.set(row.host, { host: row.host, source: 'admin' });
    else hosts.delete(row.host);
  }
  const appId = admin.appId ? { appId: admin.appId, appIdSource: 'admin' as const } : config.appId ? { appId: config.appId, appIdSource: 'config' as const } : {};
  return { ...appId, allowedHosts: [...hosts.values()], merchants };
}

/** `Erp.Example.ca` → `erp.example.ca`; refuses schemes, paths and anything not a host name. */
export function normalizeHost(input: string): string {
  const host = input.trim().toLowerCase();
  if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/.test(host) || host.length > 260) {
    throw new Error(`"${input}" is not a host name (e.g. erp.example.ca, erp.example.ca:8443 or *.example.ca)`);
  }
  return host;
}

/** Exact host, host with port, or `*.suffix` (any sub-domain, not the bare suffix). */
export function hostAllowed(url: URL, allowed: readonly AllowedHost[] | readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const withPort = url.host.toLowerCase();
  return allowed.some((entry) => {
    const pattern = typeof entry === 'string' ? entry : entry.host;
    if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1;
    return pattern === hostname || pattern === withPort;
  });
}

export interface WebhookRoute {
  url: string;
  merchantIds: string[];
}

/**
 * One forward per distinct customer webhook URL (a customer with 500 merchants gets the body
 * once, not 500 times); merchants without a route are reported, not dropped silently.
 */
export function routeWebhook(merchantIds: readonly string[], table: RoutingTable): { targets: WebhookRoute[]; unrouted: string[] } {
  const byUrl = new Map<string, string[]>();
  const unrouted: string[] = [];
  for (const merchantId of merchantIds) {
    const url = table.merchants.get(merchantId)?.webhookUrl;
    if (!url) {
      unrouted.push(merchantId);
      continue;
    }
    const list = byUrl.get(url);
    if (list) list.push(merchantId);
    else byUrl.set(url, [merchantId]);
  }
  return { targets: [...byUrl].map(([url, ids]) => ({ url, merchantIds: ids })), unrouted };
}

/** The verification challenge names no merchant: every routed customer gets it (seed). */
export function verificationTargets(table: RoutingTable): string[] {
  return [...new Set([...table.merchants.values()].map((route) => route.webhookUrl).filter((url): url is string => !!url))];
}

/** `redirect_to` with every query parameter Clover sent us appended (repeated ones too). */
export function forwardedCallbackUrl(redirectTo: string, query: URLSearchParams): string {
  const target = new URL(redirectTo);
  for (const name of new Set(query.keys())) {
    target.searchParams.delete(name);
    for (const value of query.getAll(name)) target.searchParams.append(name, value);
  }
  return target.toString();
}

/** The customer installation's OAuth callback under its base URL. */
export function customerCallbackUrl(baseUrl: string): string {
  return new URL('/payment/clover/oauth/callback', `${baseUrl.replace(/\/+$/, '')}/`).toString();
}

/** `/oauth/v2/authorize` on Clover's UI host (seed quirks 1, 2 and 7). */
export function launchAuthorizeUrl(input: { oauthHost: string; appId: string; redirectUri: string; state: string; merchantId: string }): string {
  const url = new URL('/oauth/v2/authorize', `${input.oauthHost.replace(/\/+$/, '')}/`);
  url.searchParams.set('client_id', input.appId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('merchant_id', input.merchantId);
  url.searchParams.set('state', input.state);
  return url.toString();
}

/** An http(s) URL without credentials, or an error message naming the problem. */
export function checkHttpUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${what} must be http or https, not ${url.protocol}`);
  if (url.username || url.password) throw new Error(`${what} must not carry credentials`);
  return url;
}
