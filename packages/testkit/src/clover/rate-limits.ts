import type { EmulatorRequest, EmulatorResponse } from './http.js';
import type { CloverEmulatorState } from './state.js';

export interface EmulatedLimit {
  /** Requests in progress at once. */
  concurrent: number;
  /** New requests in any one-second window. */
  perSecond: number;
}

export interface EmulatedRateLimits {
  token: EmulatedLimit;
  app: EmulatedLimit;
}

/** docs.clover.com "Work with API usage and rate limits": per token 16/s and 5 at once; per app 50/s and 10. */
export const CLOVER_DOCUMENTED_LIMITS: EmulatedRateLimits = {
  token: { concurrent: 5, perSecond: 16 },
  app: { concurrent: 10, perSecond: 50 },
};

interface Usage {
  inFlight: number;
  starts: number[];
}

/**
 * Clover's REST API limits on the Platform API (`/v3/…` on the API host), as Clover enforces them:
 * a request over any of them gets 429 with `retry-after` (seconds) and an `X-RateLimit-…` header
 * naming the limit. The other hosts and paths are not limited here. `peakPerToken()` tells a test
 * the most requests one token ever had in progress.
 */
export class RestRateLimits {
  private readonly usage = new Map<string, Usage>();
  private readonly peaks = new Map<string, number>();

  constructor(
    private readonly state: CloverEmulatorState,
    private readonly limits: EmulatedRateLimits,
  ) {}

  applies(request: EmulatorRequest): boolean {
    return request.host === 'api' && request.path.startsWith('/v3/');
  }

  /** Admits the request (the caller must `finish` it) or answers the 429. */
  admit(request: EmulatorRequest, now = Date.now()): { ok: true; finish(): void } | { ok: false; response: EmulatorResponse } {
    const token = /^Bearer\s+(.+)$/i.exec(request.headers['authorization'] ?? '')?.[1]?.trim();
    // Unauthenticated requests are the handler's to refuse (401).
    if (!token) return { ok: true, finish: () => undefined };
    const app = this.state.accessTokens.get(token)?.appId;
    const keys: [string, EmulatedLimit, string][] = [[`token:${token}`, this.limits.token, 'token']];
    if (app) keys.push([`app:${app}`, this.limits.app, 'crossToken']);
    for (const [key, limit, name] of keys) {
      const usage = this.usageOf(key, now);
      if (usage.inFlight >= limit.concurrent) return { ok: false, response: tooMany(`X-RateLimit-${name}ConcurrentLimit`, limit.concurrent) };
      if (usage.starts.length >= limit.perSecond) return { ok: false, response: tooMany(`X-RateLimit-${name}Limit`, limit.perSecond) };
    }
    for (const [key] of keys) {
      const usage = this.usageOf(key, now);
      usage.inFlight += 1;
      usage.starts.push(now);
      this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, usage.inFlight));
    }
    return {
      ok: true,
      finish: () => {
        for (const [key] of keys) this.usage.get(key)!.inFlight -= 1;
      },
    };
  }

  /** The most requests any one token had in progress at once so far. */
  peakPerToken(): number {
    let peak = 0;
    for (const [key, value] of this.peaks) if (key.startsWith('token:')) peak = Math.max(peak, value);
    return peak;
  }

  private usageOf(key: string, now: number): Usage {
    let usage = this.usage.get(key);
    if (!usage) this.usage.set(key, (usage = { inFlight: 0, starts: [] }));
    while (usage.starts.length > 0 && usage.starts[0]! <= now - 1_000) usage.starts.shift();
    return usage;
  }
}

function tooMany(header: string, limit: number): EmulatorResponse {
  return { status: 429, body: { message: '429 Too Many Requests' }, headers: { 'retry-after': '1', [header]: String(limit) } };
}
