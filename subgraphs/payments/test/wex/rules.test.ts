import { ConfigError, Decimal, DecryptionError, encryptionKeyFromBase64 } from '@switchboard/kit';
import { describe, expect, it } from 'vitest';
import { CardVault } from '../../src/wex/card-vault.js';
import { loadWexConfig } from '../../src/wex/config.js';
import { downstreamBackoffMs } from '../../src/wex/delivery-kinds.js';
import { decideRepeat, type EarlierRequest } from '../../src/wex/idempotency.js';
import { parseJsonBody } from '../../src/wex/json-body.js';
import { errorResult, successResult, wexCardRequestBody } from '../../src/wex/legacy-payloads.js';
import { parseAckRequest, parseProxyRequest, presentedToken, type ProxyRequest } from '../../src/wex/proxy-request.js';
import { classifyWexAnswer } from '../../src/wex/wex-outcome.js';

const parse = (text: string) => {
  const body = parseJsonBody(text);
  if (!body.ok) throw new Error(body.message);
  return parseProxyRequest(body.value);
};
const valid = {
  _id: 'r-1',
  x_name: 'PAY-1',
  x_studio_vendor_name: 'Vendor',
  x_studio_vendor_payment_amount_requested: 10,
  x_studio_hauler_invoice_or_remittance_advice_memo: 'INV-1',
  x_studio_employee_name: 'Emp',
};
const withField = (field: string, raw: string) => JSON.stringify(valid).replace(new RegExp(`"${field}":[^,}]*`), `"${field}":${raw}`);
const without = (field: string) => JSON.stringify({ ...valid, [field]: undefined });

describe('/proxy request validation (pure)', () => {
  it('keeps the exact amount Odoo sent, number or string', () => {
    expect(parse(withField('x_studio_vendor_payment_amount_requested', '100.50'))).toMatchObject({ ok: true, value: { amount: new Decimal('100.5') } });
    expect(parse(withField('x_studio_vendor_payment_amount_requested', '"100.5"'))).toMatchObject({ ok: true });
    expect(parse(withField('x_studio_vendor_payment_amount_requested', '150'))).toMatchObject({ ok: true });
    expect(parse(withField('x_studio_vendor_payment_amount_requested', '1.500'))).toMatchObject({ ok: true }); // trailing zeros are still cents
  });

  it.each([
    ['missing', without('x_studio_vendor_payment_amount_requested'), /is required/],
    ['false (an empty Odoo field)', withField('x_studio_vendor_payment_amount_requested', 'false'), /is required/],
    ['non-numeric', withField('x_studio_vendor_payment_amount_requested', '"ten"'), /plain decimal number/],
    ['an exponent', withField('x_studio_vendor_payment_amount_requested', '1e3'), /plain decimal number/],
    ['negative', withField('x_studio_vendor_payment_amount_requested', '-5.00'), /must not be negative/],
    ['zero', withField('x_studio_vendor_payment_amount_requested', '0.00'), /greater than 0/],
    ['over-precise', withField('x_studio_vendor_payment_amount_requested', '100.505'), /at most 2 decimal places \(got 100.505\)/],
    ['absurdly large', withField('x_studio_vendor_payment_amount_requested', '12345678901.00'), /at most 9999999999.99/],
    ['an object', withField('x_studio_vendor_payment_amount_requested', '{"v":1}'), /must be a number/],
  ])('refuses an amount that is %s, naming the field', (_label, text, message) => {
    expect(parse(text)).toEqual({ ok: false, field: 'x_studio_vendor_payment_amount_requested', message: expect.stringMatching(message) });
  });

  it.each([
    ['x_studio_vendor_name', without('x_studio_vendor_name'), /is required/],
    ['x_studio_vendor_name', withField('x_studio_vendor_name', '"   "'), /is required/],
    ['x_studio_vendor_name', withField('x_studio_vendor_name', '42'), /must be a string/],
    ['x_studio_vendor_name', withField('x_studio_vendor_name', JSON.stringify('x'.repeat(201))), /at most 200/],
    ['x_name', without('x_name'), /is required/],
    ['x_studio_hauler_invoice_or_remittance_advice_memo', without('x_studio_hauler_invoice_or_remittance_advice_memo'), /is required/],
    ['x_studio_employee_name', withField('x_studio_employee_name', '[1]'), /must be a string/],
    ['_id', withField('_id', '{"a":1}'), /string or a whole number/],
  ])('names %s when it is wrong', (field, text, message) => {
    expect(parse(text)).toEqual({ ok: false, field, message: expect.stringMatching(message) });
  });

  it('takes Odoo quirks: integer _id (or legacy `id`), false for an empty employee, integer x_name', () => {
    const odoo = parse(JSON.stringify({ ...valid, _id: undefined, id: 17, x_name: 2024001, x_studio_employee_name: false }));
    expect(odoo).toMatchObject({ ok: true, value: { requestId: 17, paymentId: '2024001', employeeName: null } });
  });

  it('refuses bodies that are not a JSON object, and reports JSON syntax errors', () => {
    expect(parse('[1,2]')).toMatchObject({ ok: false, field: 'body' });
    expect(parseJsonBody('{"a": ')).toMatchObject({ ok: false });
    expect(parseJsonBody('   ')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
  });

  it('/ack takes payment_id or x_name', () => {
    expect(parseAckRequest({ payment_id: 'P-1' })).toEqual({ ok: true, value: 'P-1' });
    expect(parseAckRequest({ x_name: 'P-2' })).toEqual({ ok: true, value: 'P-2' });
    expect(parseAckRequest({ payment_id: '' })).toMatchObject({ ok: false, field: 'payment_id' });
    expect(parseAckRequest({ payment_id: ['x'] })).toMatchObject({ ok: false, field: 'payment_id', message: 'payment_id must be a string' });
  });

  it('reads the token from the body first, the header otherwise (legacy precedence)', () => {
    expect(presentedToken({ x_studio_proxy_auth_token: 'body' }, 'header')).toBe('body');
    expect(presentedToken({ x_studio_proxy_auth_token: '' }, 'header')).toBe('header');
    expect(presentedToken({}, undefined)).toBeUndefined();
  });
});

describe('legacy payloads (pure)', () => {
  const request: ProxyRequest = { requestId: 7, paymentId: 'P', vendorName: 'V', amount: new Decimal('100.5'), invoiceNumber: 'I', employeeName: null };

  it('keeps the seed key order and writes the amount with two decimals', () => {
    const result = successResult(request, { number: '4111', securityCode: '123', expirationMonth: '09', expirationYear: '2027' });
    expect(Object.keys(result)).toEqual(['_model', '_id', 'status', 'card_number', 'expiration_month', 'expiration_year', 'security_code', 'payment_id', 'amount', 'hauler_name', 'employee', 'invoice_number']);
    expect(result.amount).toBe('100.50');
    expect(successResult(request, { expirationMonth: '09', expirationYear: '2027' })).toMatchObject({ card_number: null, security_code: null });
    expect(errorResult('x', 402, 'Declined')).toEqual({ _model: 'x_requests', _id: 'x', status: 402, error: 'Declined' });
  });

  it('sends WEX the amount as an exact JSON number, never through a float', () => {
    const body = wexCardRequestBody({ ...request, amount: new Decimal('0.10') }, '*', new Date('2025-01-02T03:04:05Z'));
    expect(body).toBe('{"merchant_code":"*","total_amount":0.10,"user_defined_fields":["V","P"],"invoices":[{"invoice_number":"I","invoice_date":"2025-01-02T03:04:05.000Z","total_amount":0.10}]}');
  });

  it('backs off base, 2·base, 4·base …', () => {
    expect([1, 2, 3, 4].map((n) => downstreamBackoffMs(2_000, n))).toEqual([2_000, 4_000, 8_000, 16_000]);
  });
});

describe('what a WEX answer means (pure)', () => {
  const response = (status: number, body: unknown) => ({ kind: 'response' as const, status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const card = { number: '5500000000000004', security_code: '321', expiration: '2028-03-01T00:00:00Z' };

  it.each([
    ['success', response(200, { virtual_card: card, detailed_response_message: 'Success: ok' }), { type: 'issued' }],
    ['a 200 decline', response(200, { detailed_response_message: 'Declined: limit' }), { type: 'declined', httpStatus: 402, error: 'Declined: limit' }],
    ['a 4xx', response(422, { detailed_response_message: 'Error: vendor' }), { type: 'declined', httpStatus: 422, error: 'Error: vendor' }],
    ['our credentials refused', response(401, { detailed_response_message: 'Error: Unauthorized' }), { type: 'failed', httpStatus: 502, error: expect.stringMatching(/proxy's credentials \(HTTP 401\)/) }],
    ['a 503 page', response(503, '<h1>503 Service Unavailable</h1>'), { type: 'failed', httpStatus: 502, error: 'WEX API error (HTTP 503): 503 Service Unavailable' }],
    ['rate limiting', response(429, {}), { type: 'failed', httpStatus: 502 }],
    ['a gateway timeout', response(504, ''), { type: 'unknown', httpStatus: 504 }],
    ['a non-JSON 200', response(200, '<html>ok</html>'), { type: 'unknown', httpStatus: 502, error: expect.stringMatching(/not a JSON object/) }],
    ['success without a usable card', response(200, { virtual_card: { number: 'x' }, detailed_response_message: 'Success: ok' }), { type: 'unknown', error: expect.stringMatching(/virtual_card.number/) }],
    ['a timeout', { kind: 'error' as const, error: 'timeout' as const, message: 'no answer' }, { type: 'unknown', httpStatus: 504 }],
    ['a refused connection', { kind: 'error' as const, error: 'network' as const, message: 'connect ECONNREFUSED 127.0.0.1:9' }, { type: 'failed', httpStatus: 502 }],
    ['a connection cut mid-answer', { kind: 'error' as const, error: 'network' as const, message: 'other side closed' }, { type: 'unknown', httpStatus: 502 }],
  ])('%s', (_label, answer, expected) => {
    expect(classifyWexAnswer(answer, 30_000)).toMatchObject(expected);
  });

  it('reads the card fields as the legacy proxy did', () => {
    expect(classifyWexAnswer(response(200, { virtual_card: card, detailed_response_message: 'Success: ok' }), 1)).toEqual({
      type: 'issued',
      card: { number: card.number, securityCode: '321', expirationMonth: '03', expirationYear: '2028' },
    });
  });
});

describe('idempotency: the same x_name again (pure)', () => {
  const request: ProxyRequest = { requestId: 'r', paymentId: 'P', vendorName: 'V', amount: new Decimal('10'), invoiceNumber: 'I', employeeName: null };
  const earlier = (status: EarlierRequest['status'], changes: Partial<EarlierRequest> = {}): EarlierRequest => ({
    status,
    odooRequestId: '"r"',
    vendorName: 'V',
    amountValue: '10.00',
    invoiceNumber: 'I',
    employeeName: null,
    updatedAt: new Date(1_000),
    ...changes,
  });

  it('replays what is known, waits for what is in progress, retries what issued nothing', () => {
    expect(decideRepeat(earlier('issued'), request, 2_000, 40_000)).toEqual({ action: 'replay' });
    expect(decideRepeat(earlier('unknown'), request, 2_000, 40_000)).toEqual({ action: 'replay' });
    expect(decideRepeat(earlier('declined'), request, 2_000, 40_000)).toEqual({ action: 'replay' });
    expect(decideRepeat(earlier('issuing'), request, 2_000, 40_000)).toEqual({ action: 'wait' });
    expect(decideRepeat(earlier('issuing'), request, 50_000, 40_000)).toEqual({ action: 'expire' });
    expect(decideRepeat(earlier('failed'), request, 2_000, 40_000)).toEqual({ action: 'retry' });
  });

  it('refuses different details for a payment id that has (or may have) a card; corrected details after a decline are a new question', () => {
    expect(decideRepeat(earlier('issued', { amountValue: '11.00' }), request, 2_000, 40_000)).toEqual({ action: 'conflict', field: 'x_studio_vendor_payment_amount_requested' });
    expect(decideRepeat(earlier('unknown', { vendorName: 'W' }), request, 2_000, 40_000)).toEqual({ action: 'conflict', field: 'x_studio_vendor_name' });
    expect(decideRepeat(earlier('issuing', { odooRequestId: '"other"' }), request, 2_000, 40_000)).toEqual({ action: 'conflict', field: '_id' });
    expect(decideRepeat(earlier('declined', { amountValue: '11.00' }), request, 2_000, 40_000)).toEqual({ action: 'retry' });
    // 10 and 10.00 are the same amount.
    expect(decideRepeat(earlier('issued', { amountValue: '10' }), request, 2_000, 40_000)).toEqual({ action: 'replay' });
  });
});

describe('configuration', () => {
  const base = { WEBHOOK_URL: 'https://odoo.example.com/hook', WEX_API_URL: 'https://api.wex.example/merchant/log', WEX_USERNAME: 'u', WEX_PASSWORD: 'p' };
  const problems = (env: Record<string, string>) => {
    try {
      loadWexConfig(env);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.map((p) => p.variable);
    }
  };

  it('legacy defaults', () => {
    const config = loadWexConfig(base);
    expect(config).toMatchObject({
      enabled: true,
      testMode: false,
      api: { merchantCode: '*', timeoutMs: 30_000 },
      delivery: { maxAttempts: 5, ackTimeoutMs: 10_000, retryBaseMs: 2_000, postTimeoutMs: 10_000 },
      usingDevelopmentKey: true,
    });
    expect(config.authToken).toBeUndefined();
  });

  it('a bad value names its variable', () => {
    expect(problems({ ...base, MAX_DOWNSTREAM: 'five' })).toEqual(['MAX_DOWNSTREAM']);
    expect(problems({ ...base, MAX_DOWNSTREAM: '2.5' })).toEqual(['MAX_DOWNSTREAM']);
    expect(problems({ ...base, ACK_TIMEOUT_SECONDS: '-1' })).toEqual(['ACK_TIMEOUT_SECONDS']);
    expect(problems({ ...base, WEBHOOK_URL: 'not a url' })).toEqual(['WEBHOOK_URL']);
    expect(problems({ ...base, TEST_MODE: 'maybe' })).toEqual(['TEST_MODE']);
    expect(problems({ ...base, WEX_CARD_ENCRYPTION_KEY: 'c2hvcnQ=' })).toEqual(['WEX_CARD_ENCRYPTION_KEY']);
  });

  it('WEX credentials are required unless TEST_MODE; nothing is required while WEBHOOK_URL is unset', () => {
    expect(problems({ WEBHOOK_URL: base.WEBHOOK_URL })).toEqual(['WEX_API_URL', 'WEX_USERNAME', 'WEX_PASSWORD']);
    expect(problems({ WEBHOOK_URL: base.WEBHOOK_URL, TEST_MODE: 'true' })).toEqual([]);
    expect(loadWexConfig({ WEBHOOK_URL: base.WEBHOOK_URL, TEST_MODE: 'True' }).testMode).toBe(true); // a Python .env
    expect(loadWexConfig({}).enabled).toBe(false);
  });

  it('production refuses to run without AUTH_TOKEN unless unauthenticated access is explicitly allowed, and needs a card key', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(problems({ ...base, NODE_ENV: 'production' })).toEqual(['AUTH_TOKEN', 'WEX_CARD_ENCRYPTION_KEY']);
    expect(problems({ ...base, NODE_ENV: 'production', WEX_CARD_ENCRYPTION_KEY: key, WEX_PROXY_ALLOW_UNAUTHENTICATED: 'true' })).toEqual([]);
    expect(problems({ ...base, NODE_ENV: 'production', WEX_CARD_ENCRYPTION_KEY: key, AUTH_TOKEN: 't' })).toEqual([]);
    expect(problems({ ...base, NODE_ENV: 'development' })).toEqual([]);
  });
});

describe('card vault', () => {
  const k1 = encryptionKeyFromBase64('k1', Buffer.alloc(32, 1).toString('base64'));
  const k2 = encryptionKeyFromBase64('k2', Buffer.alloc(32, 2).toString('base64'));

  it('seals number and code, names the key, opens after a rotation, refuses another card id', () => {
    const old = new CardVault({ current: k1 });
    const { sealed, keyId } = old.seal('card-1', { number: '5500000000000004', securityCode: '321' });
    expect(keyId).toBe('k1');
    expect(sealed).not.toContain('5500000000000004');
    const rotated = new CardVault({ current: k2, previous: [k1] });
    expect(rotated.open('card-1', sealed)).toEqual({ number: '5500000000000004', securityCode: '321' });
    expect(() => rotated.open('card-2', sealed)).toThrow(DecryptionError);
    expect(() => new CardVault({ current: k2 }).open('card-1', sealed)).toThrow(/key "k1", which is not configured/);
  });
});
