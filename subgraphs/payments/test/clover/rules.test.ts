import { randomBytes } from 'node:crypto';
import { ConfigError, Decimal } from '@switchboard/kit';
import { describe, expect, it } from 'vitest';
import { eventFor } from '../../src/clover/charges/payment-events.js';
import { parseCollectInput } from '../../src/clover/charges/collect-request.js';
import { loadCloverConfig } from '../../src/clover/config.js';
import { ConnectionSecrets } from '../../src/clover/connections/connection-secrets.js';
import { CloverInputError } from '../../src/clover/domain-errors.js';
import { fromCents, toCents } from '../../src/clover/money/cents.js';
import { signState, verifyState } from '../../src/clover/oauth/signed-state.js';
import { planRefund, refundDaysLeft, refundWindowOpen } from '../../src/clover/refunds/refund-rules.js';
import { applySurcharge, checkSurchargeRule } from '../../src/clover/surcharge/surcharge.js';
import { checkCard, detectBrand, passesLuhn } from '../../src/clover/tokenization/card-rules.js';

const NOW = new Date('2026-05-15T12:00:00Z');

describe('card rules', () => {
  it.each([
    ['4242424242424242', 'VISA'],
    ['4264281511117771', 'VISA'],
    ['5424180273333333', 'MC'],
    ['5555555555554444', 'MC'],
    ['2223003122003222', 'MC'],
    ['378282246310005', 'AMEX'],
    ['6011111111111117', 'DISCOVER'],
    ['6221260000000000', 'DISCOVER'],
    ['30569309025904', 'DINERS'],
    ['36227206271667', 'DINERS'],
    ['3530111333300000', 'JCB'],
  ])('%s is %s', (number, brand) => {
    expect(detectBrand(number)).toBe(brand);
  });

  it('unknown BINs and wrong lengths have no brand (never "CARD")', () => {
    expect(detectBrand('9999999999999995')).toBeUndefined();
    expect(detectBrand('42424242424242')).toBeUndefined(); // 14 digits is not a Visa length
  });

  it('Luhn', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
    expect(passesLuhn('42')).toBe(false);
  });

  it('accepts spaces and dashes, returns the normalized card', () => {
    expect(checkCard({ number: '4242 4242-4242 4242', expMonth: '3', expYear: '29', cvv: '123' }, NOW)).toEqual({
      ok: true,
      card: { number: '4242424242424242', brand: 'VISA', expMonth: '03', expYear: '2029', cvv: '123', first6: '424242', last4: '4242' },
    });
  });

  it.each([
    [{ number: '4242424242424241' }, 'number'],
    [{ number: '9999999999999995' }, 'number'],
    [{ number: '4242x42424242424' }, 'number'],
    [{ expMonth: '13' }, 'expMonth'],
    [{ expMonth: '0' }, 'expMonth'],
    [{ expYear: '1970' }, 'expYear'],
    [{ expYear: '2026', expMonth: '04' }, 'expYear'],
    [{ expYear: '2099' }, 'expYear'],
    [{ expYear: '202' }, 'expYear'],
    [{ cvv: '12' }, 'cvv'],
    [{ cvv: '12a' }, 'cvv'],
    [{ number: '378282246310005', cvv: '123' }, 'cvv'],
  ])('%j is refused at %s', (change, field) => {
    const result = checkCard({ number: '4242424242424242', expMonth: '12', expYear: '2028', cvv: '123', ...change }, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field)).toContain(field);
  });

  it('a card expiring this month is still good', () => {
    expect(checkCard({ number: '4242424242424242', expMonth: '05', expYear: '2026', cvv: '123' }, NOW).ok).toBe(true);
  });
});

describe('collect input', () => {
  const base = { connectionId: 'c', idempotencyKey: 'k', amount: '10.00', cardToken: 'clv_1TABCDEFG', invoiceId: 'INV-1' };

  it.each([
    [{ amount: '10.001' }, 'amount'],
    [{ amount: '-1' }, 'amount'],
    [{ amount: '0' }, 'amount'],
    [{ amount: '1000000.00' }, 'amount'],
    [{ cardToken: 'tok_visa' }, 'cardToken'],
    [{ terminal: true }, 'source'],
    [{ cardToken: null }, 'source'],
    [{ invoiceId: null }, 'invoiceId'],
    [{ customerEmail: 'nope' }, 'customerEmail'],
    [{ channel: 'pos' }, 'channel'],
    [{ currency: 'us' }, 'currency'],
  ])('%j is refused naming %s', (change, field) => {
    expect(() => parseCollectInput({ ...base, ...change } as never, { requireReference: true })).toThrow(
      expect.objectContaining({ field }) as unknown as CloverInputError,
    );
  });

  it('normalizes', () => {
    const request = parseCollectInput({ ...base, customerEmail: ' Ada@Example.COM ', channel: 'ECOM', orderId: ' O-1 ' }, { requireReference: true });
    expect(request).toMatchObject({ customerEmail: 'ada@example.com', channel: 'ecom', orderId: 'O-1', applySurcharge: true, authorizeOnly: false });
    expect(request.baseAmount.toFixed(2)).toBe('10.00');
  });
});

describe('money', () => {
  it('cents both ways, never through a float', () => {
    expect(toCents('12.34')).toBe(1234);
    expect(toCents('0.1')).toBe(10);
    expect(fromCents(1234)).toBe('12.34');
    expect(fromCents(5)).toBe('0.05');
    expect(() => toCents('1.001')).toThrow(/2 decimal places/);
  });

  it('surcharge: percent plus fixed, rounded half-up to the cent', () => {
    expect(applySurcharge(new Decimal('100.00'), { percent: new Decimal('3'), fixed: new Decimal('0.30') })).toEqual({ base: '100.00', surcharge: '3.30', total: '103.30' });
    expect(applySurcharge(new Decimal('10.05'), { percent: new Decimal('2.5'), fixed: new Decimal('0') })).toEqual({ base: '10.05', surcharge: '0.25', total: '10.30' });
    expect(applySurcharge(new Decimal('10.10'), { percent: new Decimal('2.5'), fixed: new Decimal('0') }).surcharge).toBe('0.25'); // 0.2525 → 0.25
    expect(applySurcharge(new Decimal('10.30'), { percent: new Decimal('2.5'), fixed: new Decimal('0') }).surcharge).toBe('0.26'); // 0.2575 → 0.26
    expect(applySurcharge(new Decimal('50'), undefined)).toEqual({ base: '50.00', surcharge: '0.00', total: '50.00' });
  });

  it('surcharge rules are capped', () => {
    expect(checkSurchargeRule(new Decimal('4'), new Decimal('0'))).toEqual([]);
    expect(checkSurchargeRule(new Decimal('4.01'), new Decimal('0'))[0]?.field).toBe('percent');
    expect(checkSurchargeRule(new Decimal('-1'), new Decimal('0'))[0]?.field).toBe('percent');
    expect(checkSurchargeRule(new Decimal('1'), new Decimal('-0.01'))[0]?.field).toBe('fixedAmount');
  });
});

describe('refund rules', () => {
  it('routes: untouched and all → /v1/refunds; the rest → fullRefund; part → amount', () => {
    expect(planRefund('10.00', '0', undefined)).toEqual({ ok: true, amount: '10.00', route: 'full' });
    expect(planRefund('10.00', '0', new Decimal('10'))).toEqual({ ok: true, amount: '10.00', route: 'full' });
    expect(planRefund('10.00', '3.00', undefined)).toEqual({ ok: true, amount: '7.00', route: 'remaining' });
    expect(planRefund('10.00', '3.00', new Decimal('7'))).toEqual({ ok: true, amount: '7.00', route: 'remaining' });
    expect(planRefund('10.00', '3.00', new Decimal('2.5'))).toEqual({ ok: true, amount: '2.50', route: 'partial' });
    expect(planRefund('10.00', '3.00', new Decimal('7.01'))).toMatchObject({ ok: false });
    expect(planRefund('10.00', '10.00', undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/already been refunded/) });
  });

  it('180 days', () => {
    const paid = new Date('2026-01-01T00:00:00Z');
    expect(refundWindowOpen(paid, new Date('2026-06-30T00:00:00Z'))).toBe(true);
    expect(refundWindowOpen(paid, new Date('2026-06-30T00:00:01Z'))).toBe(false);
    expect(refundDaysLeft(paid, new Date('2026-06-20T00:00:00Z'))).toBe(10);
    expect(refundDaysLeft(paid, new Date('2027-01-01T00:00:00Z'))).toBe(0);
  });
});

describe('signed OAuth state', () => {
  const secret = 'state-secret-0123456789';
  const allowed = (url: URL) => url.host === 'erp.example.ca';
  const redirect = 'https://erp.example.ca/payment/clover/oauth/callback';

  it('round-trips and carries the connection', () => {
    const state = signState({ redirect_to: redirect, connection: 'c1', customer: 'Westin' }, secret);
    const check = verifyState(state, secret, { maxAgeSeconds: 3600, redirectAllowed: allowed });
    expect(check).toMatchObject({ ok: true, payload: { redirect_to: redirect, connection: 'c1', customer: 'Westin' } });
    if (check.ok) expect(check.payload.nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('has the seed format: base64url(payload).base64url(hmac)', () => {
    const state = signState({ redirect_to: redirect }, secret, 1_700_000_000_000);
    const [body, signature] = state.split('.');
    expect(JSON.parse(Buffer.from(body!, 'base64url').toString())).toMatchObject({ redirect_to: redirect, iat: 1_700_000_000 });
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['another secret', () => signState({ redirect_to: redirect }, 'other-secret-0123456'), 'bad_signature'],
    ['no dot', () => 'abc', 'malformed'],
    ['two dots', () => 'a.b.c', 'malformed'],
    ['too old', () => signState({ redirect_to: redirect }, secret, Date.now() - 3601_000), 'expired'],
    ['from the future', () => signState({ redirect_to: redirect }, secret, Date.now() + 3600_000), 'expired'],
    ['foreign host', () => signState({ redirect_to: 'https://evil.example/cb' }, secret), 'redirect_not_allowed'],
  ])('refuses %s', (_label, make, reason) => {
    expect(verifyState(make(), secret, { maxAgeSeconds: 3600, redirectAllowed: allowed })).toMatchObject({ ok: false, reason });
  });
});

describe('events', () => {
  it('maps status changes to event types', () => {
    expect(eventFor('charge', 'succeeded', 'pending')).toBe('payments.charge.succeeded');
    expect(eventFor('charge', 'succeeded', 'authorized')).toBe('payments.charge.succeeded');
    expect(eventFor('charge', 'authorized', 'pending')).toBeUndefined();
    expect(eventFor('charge', 'failed', 'pending')).toBe('payments.charge.failed');
    expect(eventFor('charge', 'voided', 'succeeded')).toBe('payments.charge.voided');
    expect(eventFor('charge', 'voided', 'authorized')).toBeUndefined();
    expect(eventFor('refund', 'succeeded', 'pending')).toBe('payments.refund.succeeded');
    expect(eventFor('credit', 'succeeded', 'pending')).toBe('payments.refund.succeeded');
    expect(eventFor('refund', 'failed', 'pending')).toBe('payments.refund.failed');
  });
});

describe('configuration and secrets', () => {
  const key = randomBytes(32).toString('base64');

  it('defaults to the seed hosts per environment', () => {
    const config = loadCloverConfig({});
    expect(config.hosts.sandbox).toEqual({
      oauth: 'https://sandbox.dev.clover.com',
      api: 'https://apisandbox.dev.clover.com',
      ecommerce: 'https://scl-sandbox.dev.clover.com',
      token: 'https://token-sandbox.dev.clover.com',
    });
    expect(config.hosts.production).toEqual({ oauth: 'https://www.clover.com', api: 'https://api.clover.com', ecommerce: 'https://scl.clover.com', token: 'https://token.clover.com' });
    expect(config.usingDevelopmentKey).toBe(true);
  });

  it('a bad value names the variable', () => {
    expect(() => loadCloverConfig({ CLOVER_TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/CLOVER_TOKEN_ENCRYPTION_KEY: key must be 32 bytes/);
    expect(() => loadCloverConfig({ CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS: 'nocolon' })).toThrow(/CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS/);
    expect(() => loadCloverConfig({ CLOVER_SANDBOX_API_URL: 'not a url' })).toThrow(/CLOVER_SANDBOX_API_URL/);
    expect(() => loadCloverConfig({ CLOVER_HTTP_TIMEOUT_MS: '-5' })).toThrow(ConfigError);
  });

  it('production refuses the development key and state secret', () => {
    expect(() => loadCloverConfig({ NODE_ENV: 'production' })).toThrow(/CLOVER_TOKEN_ENCRYPTION_KEY: is required in production[\s\S]*CLOVER_DISPATCHER_SECRET: is required in production/);
    expect(loadCloverConfig({ NODE_ENV: 'production', CLOVER_TOKEN_ENCRYPTION_KEY: key, CLOVER_DISPATCHER_SECRET: 'a-long-enough-secret' }).usingDevelopmentKey).toBe(false);
  });

  it('sealed secrets are bound to their connection and column, and name their key', () => {
    const secrets = new ConnectionSecrets(loadCloverConfig({ CLOVER_TOKEN_ENCRYPTION_KEY: key, CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'k7' }).keyring);
    const sealed = secrets.seal('c1', 'access_token', 'token-value');
    expect(sealed).toMatch(/^v1\.k7\./);
    expect(sealed).not.toContain('token-value');
    expect(secrets.open('c1', 'access_token', sealed)).toBe('token-value');
    expect(secrets.seal('c1', 'access_token', 'token-value')).not.toBe(sealed); // random IV
    expect(() => secrets.open('c2', 'access_token', sealed)).toThrow(/failed authentication/);
    expect(() => secrets.open('c1', 'refresh_token', sealed)).toThrow(/failed authentication/);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => secrets.open('c1', 'access_token', tampered)).toThrow();
    const other = new ConnectionSecrets(loadCloverConfig({ CLOVER_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'k8' }).keyring);
    expect(() => other.open('c1', 'access_token', sealed)).toThrow(/key "k7", which is not configured/);
    const rotated = new ConnectionSecrets(
      loadCloverConfig({ CLOVER_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'k8', CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS: `k7:${key}` }).keyring,
    );
    expect(rotated.open('c1', 'access_token', sealed)).toBe('token-value');
  });
});
