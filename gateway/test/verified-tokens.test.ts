import { describe, expect, it } from 'vitest';
import { issueDevToken } from '../src/index.js';
import { createJwtVerifier } from '../src/auth/jwt.js';
import { VerifiedTokenCache } from '../src/auth/verified-tokens.js';

const SECRET = 'verified-tokens-test-secret-0123456789abcdef';
const identity = { sub: 'u-1', email: 'ada@example.com', roles: ['ops'], via: 'jwt' as const };

describe('verified token cache', () => {
  it('answers a remembered token until its exp (plus the clock tolerance), then says it expired', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ clockToleranceSeconds: 5, maxAgeMs: 60_000, now: () => now });
    cache.remember('t', identity, 1_030);
    expect(cache.get('t')).toEqual({ identity });
    now = 1_034_999;
    expect(cache.get('t')).toEqual({ identity });
    now = 1_035_001;
    expect(cache.get('t')).toEqual({ expired: true });
    expect(cache.get('t')).toBeUndefined(); // forgotten: the next use verifies it (and fails) afresh
  });

  it('verifies a token again once it was remembered for maxAgeMs', () => {
    let now = 0;
    const cache = new VerifiedTokenCache({ clockToleranceSeconds: 5, maxAgeMs: 60_000, now: () => now });
    cache.remember('t', identity, 3_600);
    now = 60_001;
    expect(cache.get('t')).toBeUndefined();
  });

  it('forgets the oldest token beyond maxEntries', () => {
    const cache = new VerifiedTokenCache({ clockToleranceSeconds: 5, maxEntries: 2, now: () => 0 });
    cache.remember('a', identity, 60);
    cache.remember('b', identity, 60);
    cache.remember('c', identity, 60);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('hands out copies, so a request cannot change what the next one is told', () => {
    const cache = new VerifiedTokenCache({ clockToleranceSeconds: 5, now: () => 0 });
    cache.remember('t', identity, 60);
    const first = cache.get('t') as { identity: typeof identity };
    first.identity.roles.push('admin');
    expect(cache.get('t')).toEqual({ identity });
  });
});

describe('JWT verifier with the cache', () => {
  it('accepts a remembered token, and refuses it once it expired', async () => {
    let now = Date.now();
    const verify = createJwtVerifier({ secret: SECRET, cache: { now: () => now } })!;
    const token = await issueDevToken(SECRET, { sub: 'u-1', email: 'ada@example.com', roles: ['ops'] }, 60);
    expect(await verify(token)).toEqual({ ok: true, identity });
    expect(await verify(token)).toEqual({ ok: true, identity });
    now += 66_000; // past exp and the 5 s tolerance, though jose itself would still see a live token
    expect(await verify(token)).toEqual({ ok: false, status: 401, message: 'token expired' });
  });

  it('never remembers a refusal', async () => {
    const verify = createJwtVerifier({ secret: SECRET })!;
    const forged = await issueDevToken('another-secret-of-the-same-length-0123456789', { sub: 'u-1', roles: ['admin'] }, 60);
    expect(await verify(forged)).toMatchObject({ ok: false, message: 'invalid token signature' });
    expect(await verify(forged)).toMatchObject({ ok: false, message: 'invalid token signature' });
  });

  it('verifies every time when the cache is off', async () => {
    const verify = createJwtVerifier({ secret: SECRET, cache: false })!;
    const token = await issueDevToken(SECRET, { sub: 'u-1', roles: [] }, 60);
    expect(await verify(token)).toMatchObject({ ok: true, identity: { sub: 'u-1' } });
  });
});
