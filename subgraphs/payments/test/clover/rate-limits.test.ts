import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryAfterOf } from '../../src/clover/http/clover-http.js';
import { CloverCallLimiter, RATE_WINDOW_MS, type CloverRateLimits } from '../../src/clover/http/rate-limits.js';

/** A call that runs until the test ends it. */
function heldCall() {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return { run: () => ended, end };
}

describe("Clover's REST API limits, kept by the caller (pure, fake clock)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const limiter = (limits: CloverRateLimits) => new CloverCallLimiter(limits, () => Date.now());
  const wide = { concurrent: 100, perSecond: 1_000 };

  it('keeps at most `concurrent` calls of one token in progress; the next starts when one finishes', async () => {
    const calls = limiter({ token: { concurrent: 5, perSecond: 100 }, app: wide });
    const held = Array.from({ length: 7 }, heldCall);
    const started: number[] = [];
    const done = held.map((call, i) => calls.run({ token: 't1', app: 'a' }, () => (started.push(i), call.run())));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(calls.queued).toBe(2);
    held[2]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const call of held) call.end();
    await Promise.all(done);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(calls.queued).toBe(0);
  });

  it('starts at most `perSecond` calls of one token in any second, the rest as the window moves on', async () => {
    const calls = limiter({ token: { concurrent: 100, perSecond: 16 }, app: wide });
    const startedAt: number[] = [];
    const done = Array.from({ length: 40 }, () => calls.run({ token: 't1', app: 'a' }, async () => void startedAt.push(Date.now())));
    await vi.advanceTimersByTimeAsync(0);
    expect(startedAt).toHaveLength(16);
    await vi.advanceTimersByTimeAsync(RATE_WINDOW_MS - 1);
    expect(startedAt).toHaveLength(16);
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toHaveLength(32);
    await vi.advanceTimersByTimeAsync(RATE_WINDOW_MS);
    await Promise.all(done);
    expect(startedAt).toHaveLength(40);
    // Whatever second one looks at, no more than 16 started in it.
    expect(RATE_WINDOW_MS).toBe(1_000);
    for (const at of startedAt) expect(startedAt.filter((t) => t >= at && t < at + RATE_WINDOW_MS).length).toBeLessThanOrEqual(16);
  });

  it("counts every token of an app against the app's limit, and a busy token does not hold up another", async () => {
    const calls = limiter({ token: { concurrent: 2, perSecond: 100 }, app: { concurrent: 3, perSecond: 100 } });
    const held = Array.from({ length: 5 }, heldCall);
    const started: string[] = [];
    const run = (token: string, app: string, call: ReturnType<typeof heldCall>) => calls.run({ token, app }, () => (started.push(token), call.run()));
    const done = [run('t1', 'a', held[0]!), run('t1', 'a', held[1]!), run('t1', 'a', held[2]!), run('t2', 'a', held[3]!), run('t3', 'b', held[4]!)];
    await vi.advanceTimersByTimeAsync(0);
    // t1 is at its own limit (2); t2 fits the app's third slot; t3 is another app.
    expect(started).toEqual(['t1', 't1', 't2', 't3']);
    held[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['t1', 't1', 't2', 't3', 't1']);
    for (const call of held) call.end();
    await Promise.all(done);
  });

  it('counts a call against the second from its start until a second after its answer (Clover counts arrivals)', async () => {
    const calls = limiter({ token: { concurrent: 100, perSecond: 2 }, app: wide });
    const slow = heldCall();
    const startedAt: number[] = [];
    const quick = () => calls.run({ token: 't', app: 'a' }, async () => void startedAt.push(Date.now()));
    const first = calls.run({ token: 't', app: 'a' }, () => (startedAt.push(Date.now()), slow.run()));
    const others = [quick(), quick(), quick()];
    await vi.advanceTimersByTimeAsync(999);
    expect(startedAt).toEqual([1_000_000, 1_000_000]);
    // A second on, the quick call is out of the window, but the slow one may still arrive at Clover
    // any moment: one more call fits, not two (a window of starts alone would let two go).
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toEqual([1_000_000, 1_000_000, 1_001_000]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(startedAt).toEqual([1_000_000, 1_000_000, 1_001_000, 1_002_000]);
    slow.end();
    await Promise.all([first, ...others]);
  });

  it('frees the slot of a call that fails', async () => {
    const calls = limiter({ token: { concurrent: 1, perSecond: 100 }, app: wide });
    await expect(calls.run({ token: 't', app: 'a' }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(calls.run({ token: 't', app: 'a' }, async () => 'next')).resolves.toBe('next');
  });
});

describe("a 429's retry-after (pure)", () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterOf('1')).toBe(1_000);
    expect(retryAfterOf('0.5')).toBe(500);
    expect(retryAfterOf(['2'])).toBe(2_000);
    expect(retryAfterOf('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(retryAfterOf(undefined)).toBeUndefined();
    expect(retryAfterOf('soon')).toBeUndefined();
  });
});
