import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  bearerTokenOf,
  constantTimeEqual,
  createEvent,
  digestMatchesHex,
  domainOf,
  exponentialSchedule,
  hmacSha256,
  mapWithLimit,
  formatAmount,
  normalizeEmail,
  parseAmount,
  signIdentity,
  subjectMatches,
  verifyIdentity,
} from '../src/index.js';

describe('pure kit rules', () => {
  it('bearerTokenOf takes the token of a Bearer header and nothing else', () => {
    expect(bearerTokenOf('Bearer abc.def')).toBe('abc.def');
    expect(bearerTokenOf('bearer abc ')).toBe('abc');
    expect(bearerTokenOf(['Bearer first', 'Bearer second'])).toBe('first');
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Token abc']) {
      expect(bearerTokenOf(header), String(header)).toBeUndefined();
    }
  });

  it('backoff grows along the schedule and then stays at its last step', () => {
    const schedule = exponentialSchedule(2_000, 4);
    expect(schedule).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, schedule))).toEqual([2_000, 4_000, 8_000, 16_000, 16_000, 16_000]);
  });

  it('matches NATS subjects with * and >', () => {
    expect(subjectMatches('payments.>', 'payments.charge.succeeded')).toBe(true);
    expect(subjectMatches('payments.>', 'payments')).toBe(false);
    expect(subjectMatches('payments.*.succeeded', 'payments.refund.succeeded')).toBe(true);
    expect(subjectMatches('payments.*.succeeded', 'payments.refund.failed')).toBe(false);
    expect(subjectMatches('payments.charge', 'payments.charge.succeeded')).toBe(false);
  });

  it('event types name a known domain', () => {
    expect(domainOf('billing.invoice.payment_failed')).toBe('billing');
    expect(() => domainOf('Billing.Invoice')).toThrow(/not <domain>/);
    expect(() => domainOf('crm.lead.created')).toThrow(/no known domain/);
    expect(createEvent({ type: 'helpdesk.deadletter', source: 't', data: 1 }).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('normalizes the shared customer key', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeEmail('no-at-sign')).toBeUndefined();
    expect(normalizeEmail(42)).toBeUndefined();
  });

  it('parses money without floats and refuses over-precise amounts', () => {
    expect(parseAmount('12.5')?.toString()).toBe('12.5');
    expect(parseAmount(' 100 ')?.toString()).toBe('100');
    expect(parseAmount('12.345')).toBeUndefined();
    expect(parseAmount('0.000075', 6)?.toString()).toBe('0.000075');
    expect(parseAmount(12.5)).toBeUndefined();
    expect(parseAmount('1e3')).toBeUndefined();
    expect(parseAmount('abc')).toBeUndefined();
    expect(formatAmount('0.015', 2)).toBe('0.02');
    expect(formatAmount('1', 2)).toBe('1.00');
  });

  it('signed identities verify, and tampering, a wrong secret or age is refused', () => {
    const header = signIdentity({ sub: 'u1', roles: ['ops'], via: 'jwt' }, 'secret-one-0123456789');
    expect(verifyIdentity(header, 'secret-one-0123456789')).toEqual({ ok: true, identity: { sub: 'u1', roles: ['ops'], via: 'jwt' } });
    expect(verifyIdentity(header, 'secret-two-0123456789')).toMatchObject({ ok: false, reason: 'invalid gateway identity signature' });
    const [body, signature] = header.split('.');
    const promoted = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('"ops"', '"admin"')).toString('base64url');
    expect(verifyIdentity(`${promoted}.${signature}`, 'secret-one-0123456789')).toMatchObject({ ok: false });
    const old = signIdentity({ sub: 'u1', roles: [], via: 'jwt' }, 'secret-one-0123456789', Date.now() - 10 * 60_000);
    expect(verifyIdentity(old, 'secret-one-0123456789')).toMatchObject({ ok: false, reason: 'expired gateway identity signature' });
    expect(verifyIdentity('garbage', 'secret-one-0123456789')).toMatchObject({ ok: false });
  });

  it('compares secrets in constant time, including different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('matches a hex signature against a digest in either case, and refuses anything else', () => {
    const digest = hmacSha256('secret', 'body');
    const hex = digest.toString('hex');
    expect(digestMatchesHex(digest, hex)).toBe(true);
    expect(digestMatchesHex(digest, hex.toUpperCase())).toBe(true);
    expect(digestMatchesHex(digest, hmacSha256('other', 'body').toString('hex'))).toBe(false);
    expect(digestMatchesHex(digest, hex.slice(0, -2))).toBe(false);
    expect(digestMatchesHex(digest, `${hex}00`)).toBe(false);
    // Buffer.from(…, 'hex') would silently stop at the first non-hex pair.
    expect(digestMatchesHex(digest, `${hex.slice(0, 62)}zz`)).toBe(false);
    expect(digestMatchesHex(digest, '')).toBe(false);
  });
});

describe('mapWithLimit (pure)', () => {
  it('keeps results in order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithLimit([50, 10, 30, 20, 40, 0], 2, async (ms) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      return ms * 2;
    });
    expect(results).toEqual([100, 20, 60, 40, 80, 0]);
    expect(peak).toBe(2);
    expect(await mapWithLimit([], 3, async () => 1)).toEqual([]);
  });
  it('rejects with the first failure', async () => {
    await expect(mapWithLimit([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two');
  });
});
