import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Where outbound requests (webhooks, redirects) may go. */
export interface OutboundPolicy {
  /** Allow loopback, private, link-local and other non-public addresses (tests and dev only). */
  allowPrivateNetworks: boolean;
  /** When set, only these hosts (exact, or `*.example.com`) are allowed. */
  allowedHosts?: string[];
}

export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

/** IPv4/IPv6 ranges that are not the public internet (SSRF targets). */
export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return (
      a === 0 || a === 10 || a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('ff');
}

function hostAllowed(host: string, allowedHosts: string[]): boolean {
  return allowedHosts.some((pattern) =>
    pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern.toLowerCase(),
  );
}

/**
 * Checks a URL against the policy, resolving its host: a public name that resolves to a private
 * address is refused too (DNS rebinding to an internal service).
 */
export async function checkOutboundUrl(raw: string, policy: OutboundPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError(`not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundUrlError(`only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new OutboundUrlError('URLs with credentials are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.allowedHosts?.length && !hostAllowed(host, policy.allowedHosts)) {
    throw new OutboundUrlError(`host ${host} is not in the allow-list`);
  }
  if (!policy.allowPrivateNetworks) {
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new OutboundUrlError(`host ${host} does not resolve`);
    if (addresses.some(isPrivateAddress)) {
      throw new OutboundUrlError(`host ${host} resolves to a private or loopback address`);
    }
  }
  return url;
}
