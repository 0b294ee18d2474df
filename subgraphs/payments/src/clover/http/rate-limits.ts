/**
 * Clover's REST API limits (docs.clover.com, "Work with API usage and rate limits"): per token 16
 * new requests a second and 5 in progress at once; per app 50 a second and 10 at once. Beyond
 * any of them Clover answers 429, and asking again before its `retry-after` lengthens the wait.
 * So calls are paced here instead of being refused there: a webhook burst for one merchant is
 * followed up at the merchant's pace, and never costs the other merchants of the app theirs.
 */

export interface RateLimit {
  /** Requests in progress at once. */
  concurrent: number;
  /** Requests started in any one-second window. */
  perSecond: number;
}

export interface CloverRateLimits {
  token: RateLimit;
  app: RateLimit;
}

/** Clover's documented limits. */
export const CLOVER_REST_LIMITS: CloverRateLimits = {
  token: { concurrent: 5, perSecond: 16 },
  app: { concurrent: 10, perSecond: 50 },
};

/** Clover's window for the per-second limits. */
export const RATE_WINDOW_MS = 1_000;

/**
 * One key's calls (pure). Clover counts a request when it arrives, which is some time after it
 * left here and before its answer came back. So a call counts against the per-second limit from
 * the moment it starts until a second after it finished: however the trips vary, no second at
 * Clover then sees more arrivals than the limit.
 */
export class CallWindow {
  private inFlight = 0;
  /** When the calls of the last second finished, oldest first. */
  private readonly finishes: number[] = [];

  constructor(private readonly limit: RateLimit) {}

  /** 0 when a call may start at `now`; else how long until it may (Infinity: until one finishes). */
  delayAt(now: number): number {
    this.forget(now);
    if (this.inFlight >= this.limit.concurrent) return Infinity;
    if (this.inFlight + this.finishes.length >= this.limit.perSecond) {
      return this.finishes.length > 0 ? this.finishes[0]! + RATE_WINDOW_MS - now : Infinity;
    }
    return 0;
  }

  start(): void {
    this.inFlight += 1;
  }

  finish(now: number): void {
    this.inFlight -= 1;
    this.finishes.push(now);
  }

  /** Nothing in progress and nothing in the window: the window can be dropped. */
  idleAt(now: number): boolean {
    this.forget(now);
    return this.inFlight === 0 && this.finishes.length === 0;
  }

  private forget(now: number): void {
    while (this.finishes.length > 0 && this.finishes[0]! <= now - RATE_WINDOW_MS) this.finishes.shift();
  }
}

/** Whose limits a call counts against. */
export interface CallKeys {
  token: string;
  app: string;
}

interface Waiter {
  keys: CallKeys;
  resolve(): void;
}

/**
 * Runs calls within the limits of their token and their app, first come first served per key: a
 * call waits for a free slot (a call of its token or app finishing, or a second passing since one
 * did). The limits are per process: replicas calling for the same app share Clover's
 * allowance, so each should be given its share.
 */
export class CloverCallLimiter {
  private readonly windows = new Map<string, CallWindow>();
  private readonly waiting: Waiter[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly limits: CloverRateLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Calls waiting for a slot (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(keys: CallKeys, call: () => Promise<T>): Promise<T> {
    await this.acquire(keys);
    try {
      return await call();
    } finally {
      this.release(keys);
    }
  }

  private acquire(keys: CallKeys): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ keys, resolve });
      this.admit();
    });
  }

  private release(keys: CallKeys): void {
    const now = this.clock();
    for (const name of this.names(keys)) this.windows.get(name)?.finish(now);
    this.admit();
    for (const name of this.names(keys)) if (this.windows.get(name)?.idleAt(now)) this.windows.delete(name);
  }

  /** Starts every waiting call that may start now; wakes up again when the next one may. */
  private admit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock();
    let soonest = Infinity;
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i]!;
      const [token, app] = this.windowsOf(waiter.keys);
      const delay = Math.max(token.delayAt(now), app.delayAt(now));
      if (delay > 0) {
        soonest = Math.min(soonest, delay);
        i += 1;
        continue;
      }
      token.start();
      app.start();
      this.waiting.splice(i, 1);
      waiter.resolve();
    }
    // A call blocked only by concurrency is admitted by the release that frees its slot.
    if (Number.isFinite(soonest)) this.timer = setTimeout(() => this.admit(), Math.max(soonest, 1));
  }

  private windowsOf(keys: CallKeys): [CallWindow, CallWindow] {
    const [tokenName, appName] = this.names(keys);
    return [this.window(tokenName, this.limits.token), this.window(appName, this.limits.app)];
  }

  private window(name: string, limit: RateLimit): CallWindow {
    let window = this.windows.get(name);
    if (!window) this.windows.set(name, (window = new CallWindow(limit)));
    return window;
  }

  private names(keys: CallKeys): [string, string] {
    return [`token:${keys.token}`, `app:${keys.app}`];
  }
}
