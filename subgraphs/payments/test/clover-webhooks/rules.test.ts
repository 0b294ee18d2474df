import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/kit';
import { loadCloverWebhookConfig } from '../../src/clover-webhooks/config.js';
import { checkSignature, signWebhook } from '../../src/clover-webhooks/signature.js';
import { decideSync } from '../../src/clover-webhooks/sync-rules.js';
import { TokenBucket } from '../../src/clover-webhooks/token-bucket.js';
import { classify, parseObjectId, parseWebhookBody } from '../../src/clover-webhooks/webhook-payload.js';

describe('webhook payloads (pure)', () => {
  it('recognises the verification challenge only in its exact one-key shape', () => {
    expect(classify({ verificationCode: '6d1b8e4a-0f3e-4c55-9a8e-0e1c6a7b2f10' })).toMatchObject({ shape: 'verification', verificationCode: '6d1b8e4a-0f3e-4c55-9a8e-0e1c6a7b2f10' });
    // Anything more (or an odd code) must be signed like every other webhook.
    expect(classify({ verificationCode: '6d1b8e4a-0f3e', merchants: {} }).shape).toBe('firehose');
    expect(classify({ verificationCode: '<script>' }).shape).toBe('unknown');
    expect(classify({ verificationCode: 42 }).shape).toBe('unknown');
  });

  it('reads the merchant firehose: merchants from the keys, objects with their prefixes', () => {
    const payload = classify({
      appId: 'APP1',
      merchants: {
        ASVPRFJ5D5GF1: [
          { objectId: 'P:ASVPRFJ5D5GF1/BSEQZTNJKQGY6', type: 'CREATE', ts: 1 },
          { objectId: 'O:ORDER1', type: 'UPDATE', ts: 2 },
          { objectId: 'C:OTHERMERCHANT/CUST1', type: 'CREATE' }, // filed under another merchant: ignored
          { objectId: 'I:ITEM1', type: 'DELETE' },
          { nonsense: true },
        ],
        'not a merchant id': [{ objectId: 'P:X' }],
        E2DYXYRBT52K1: 'not-a-list',
      },
    });
    expect(payload).toEqual({
      shape: 'firehose',
      appId: 'APP1',
      merchantIds: ['ASVPRFJ5D5GF1', 'E2DYXYRBT52K1'],
      objects: [
        { merchantId: 'ASVPRFJ5D5GF1', objectId: 'P:ASVPRFJ5D5GF1/BSEQZTNJKQGY6', kind: 'payment', id: 'BSEQZTNJKQGY6', type: 'CREATE', ts: 1 },
        { merchantId: 'ASVPRFJ5D5GF1', objectId: 'O:ORDER1', kind: 'order', id: 'ORDER1', type: 'UPDATE', ts: 2 },
        { merchantId: 'ASVPRFJ5D5GF1', objectId: 'I:ITEM1', kind: 'other', id: 'ITEM1', type: 'DELETE' },
      ],
    });
  });

  it('reads the {type, data} format: merchantId at the top or in data, the payment id from data', () => {
    expect(classify({ type: 'charge.succeeded', merchantId: 'M1', data: { id: 'CH1' } })).toMatchObject({
      shape: 'event',
      merchantIds: ['M1'],
      objects: [{ merchantId: 'M1', kind: 'payment', id: 'CH1', objectId: 'P:CH1', type: 'charge.succeeded' }],
    });
    expect(classify({ type: 'payment.created', data: { id: 'P2', merchantId: 'M2' } }).objects).toHaveLength(1);
    expect(classify({ type: 'customer.updated', merchantId: 'M1', data: { id: 'C1' } })).toMatchObject({ shape: 'event', objects: [] });
    expect(classify({ something: 'else', merchantId: 'M3' })).toEqual({ shape: 'unknown', merchantIds: ['M3'], objects: [] });
    expect(classify([1, 2]).shape).toBe('unknown');
  });

  it('object ids: P:<id> and P:<mId>/<id>; anything else is not an object id', () => {
    expect(parseObjectId('P:ABC', 'M')).toEqual({ merchantId: 'M', objectId: 'P:ABC', kind: 'payment', id: 'ABC' });
    expect(parseObjectId('P:M/ABC', 'M')?.id).toBe('ABC');
    expect(parseObjectId('P:OTHER/ABC', 'M')).toBeUndefined();
    expect(parseObjectId('ABC', 'M')).toBeUndefined();
    expect(parseObjectId('P:../../etc', 'M')).toBeUndefined();
  });

  it('decodes strictly: invalid UTF-8 and malformed JSON are named', () => {
    expect(parseWebhookBody(Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, reason: 'not_utf8' });
    expect(parseWebhookBody(Buffer.from('{"a":'))).toMatchObject({ ok: false, reason: 'malformed_json' });
    expect(parseWebhookBody(Buffer.from('{"verificationCode":"abc-123-def"}'))).toMatchObject({ ok: true, payload: { shape: 'verification' } });
  });
});

describe('webhook signatures (pure)', () => {
  const body = Buffer.from('{"merchants":{}}');
  it('is hex HMAC-SHA256 of the raw bytes with the app secret', () => {
    const signature = signWebhook('secret', body);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(checkSignature(body, signature, ['secret'])).toBe('valid');
    expect(checkSignature(body, signature.toUpperCase(), ['secret'])).toBe('valid');
    expect(checkSignature(body, ` ${signature} `, ['old', 'secret'])).toBe('valid');
  });
  it('tells a missing signature from a wrong one', () => {
    expect(checkSignature(body, undefined, ['secret'])).toBe('missing');
    expect(checkSignature(body, '', ['secret'])).toBe('missing');
    expect(checkSignature(body, signWebhook('other', body), ['secret'])).toBe('mismatch');
    expect(checkSignature(Buffer.from('{"merchants":{} }'), signWebhook('secret', body), ['secret'])).toBe('mismatch');
    expect(checkSignature(body, signWebhook('secret', body), [])).toBe('mismatch');
  });
});

describe('what a Platform payment means for ours (pure)', () => {
  const success = { id: 'CLV1', amount: 1200, result: 'SUCCESS', cardTransaction: { cardType: 'VISA', last4: '4242' }, createdTime: 1_700_000_000_000 };
  it('settles a pending payment either way', () => {
    expect(decideSync('pending', success)).toMatchObject({ action: 'transition', from: ['pending'], changes: { status: 'succeeded', providerPaymentId: 'CLV1', cardLast4: '4242' } });
    expect(decideSync('pending', { ...success, result: 'FAIL' })).toMatchObject({ action: 'transition', changes: { status: 'failed', failureCode: 'card_declined' } });
  });
  it('mirrors a void done at Clover', () => {
    expect(decideSync('succeeded', { ...success, voided: true })).toEqual({ action: 'transition', from: ['succeeded'], changes: { status: 'voided', providerPaymentId: 'CLV1' } });
    expect(decideSync('voided', { ...success, voided: true })).toEqual({ action: 'none', outcome: 'in_sync' });
    expect(decideSync('refunded', { ...success, voided: true })).toMatchObject({ action: 'none', outcome: 'mismatch' });
  });
  it('never flips a settled payment Clover contradicts: that is for a person', () => {
    expect(decideSync('failed', success)).toMatchObject({ action: 'none', outcome: 'mismatch', detail: 'Clover says SUCCESS, ours is failed' });
    expect(decideSync('succeeded', { ...success, result: 'FAIL' })).toMatchObject({ action: 'none', outcome: 'mismatch' });
    expect(decideSync('succeeded', success)).toEqual({ action: 'none', outcome: 'in_sync' });
    expect(decideSync('partially_refunded', success)).toEqual({ action: 'none', outcome: 'in_sync' });
  });
});

describe('token bucket (pure)', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(10_000) && bucket.take(10_000) && bucket.take(10_000) && !bucket.take(10_000)).toBe(true);
  });
});

describe('CLOVER_WEBHOOK_… configuration', () => {
  it('has defaults and names bad values', () => {
    expect(loadCloverWebhookConfig({})).toMatchObject({ bodyLimitBytes: 1_048_576, appSecrets: [], maxAttempts: 6 });
    expect(loadCloverWebhookConfig({ CLOVER_WEBHOOK_APP_SECRET: 'new-secret-1, old-secret-2' }).appSecrets).toEqual(['new-secret-1', 'old-secret-2']);
    const problems = (env: Record<string, string>) => {
      try {
        loadCloverWebhookConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.variable);
      }
    };
    expect(problems({ CLOVER_WEBHOOK_BODY_LIMIT_BYTES: '12' })).toEqual(['CLOVER_WEBHOOK_BODY_LIMIT_BYTES']);
    expect(problems({ CLOVER_WEBHOOK_APP_SECRET: 'short' })).toEqual(['CLOVER_WEBHOOK_APP_SECRET']);
    expect(problems({ CLOVER_WEBHOOK_MAX_ATTEMPTS: 'many' })).toEqual(['CLOVER_WEBHOOK_MAX_ATTEMPTS']);
  });
});
