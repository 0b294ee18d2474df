import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, firehoseBody, objectEvent, sendCloverWebhook, signCloverWebhook, verificationBody } from '@switchboard/testkit';
import { CloverWebhook } from '../../src/clover-webhooks/clover-webhook.js';
import { OutboxEvent } from '@switchboard/kit';
import { APP_SECRET, CloverTestEnvironment, createConnection, logLines, separateInstallation, stopInstallations, WEBHOOK_FIELDS, type CloverTestService, type DbKind } from './support.js';

const WEBHOOKS = `query($status: String, $endpoint: String) { cloverWebhooks(status: $status, endpoint: $endpoint, limit: 200) { ${WEBHOOK_FIELDS} } }`;
const MERCHANT = 'ASVPRFJ5D5GF1';
const LIMIT = 64 * 1024;
/** The seed's DoS attempt: a 9.4 MB JSON body. */
const HUGE = Math.round(9.4 * 1024 * 1024);

/** A firehose body no other test sends (every ts differs). */
function freshFirehose(appId = 'APPID0000001', merchants: string[] = [MERCHANT]): string {
  return firehoseBody(appId, Object.fromEntries(merchants.map((m) => [m, [objectEvent('O', m, randomUUID().slice(0, 13).toUpperCase().replace(/-/g, 'X'), 'CREATE', Date.now() + Math.random())]])));
}

/**
 * `POST /payment/clover/webhook` (customer side): the verification challenge without a signature,
 * HMAC over the raw bytes for everything else, journaled and published in one transaction,
 * duplicates harmless, refusals fast and explained.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover webhook intake on %s', (db) => {
  const env = new CloverTestEnvironment();
  let client: CloverTestService;
  let url: string;

  beforeAll(async () => {
    await env.start();
    client = await env.service(await env.databaseUrl(db), { CLOVER_WEBHOOK_APP_SECRET: APP_SECRET, CLOVER_WEBHOOK_BODY_LIMIT_BYTES: String(LIMIT) });
    url = `${client.service.url()}/payment/clover/webhook`;
  });
  afterAll(async () => {
    await stopInstallations();
    await env.stop();
  });

  const rows = () => client.service.deps.db.em().find(CloverWebhook, {}, { orderBy: { receivedAt: 'asc' } });

  it('takes the one-shot verification challenge unsigned, logs it at WARN and shows it to operators', async () => {
    const code = randomUUID();
    const reply = await sendCloverWebhook(url, verificationBody(code));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, verificationCode: code });
    const banner = logLines.map((line) => JSON.parse(line)).find((line) => line.verificationCode === code);
    expect(banner).toMatchObject({ level: 40, msg: expect.stringContaining(`VERIFICATION CODE: ${code}`) });
    const listed = await client.graphql(`{ cloverWebhookVerificationCodes { code endpoint webhookId } }`, {}, ['ops']);
    expect(listed.body.data.cloverWebhookVerificationCodes).toContainEqual(expect.objectContaining({ code, endpoint: 'customer' }));
  });

  it('stores a signed firehose webhook and publishes payments.clover.webhook.received; a re-sent one has no second effect', async () => {
    const body = freshFirehose();
    const first = await sendCloverWebhook(url, body, { appSecret: APP_SECRET });
    expect(first.status).toBe(200);
    const { id, duplicate } = JSON.parse(first.body);
    expect(duplicate).toBe(false);
    const again = await sendCloverWebhook(url, body, { appSecret: APP_SECRET });
    expect(JSON.parse(again.body)).toEqual({ ok: true, id, duplicate: true });

    const stored = await client.service.deps.db.em().findOneOrFail(CloverWebhook, { id });
    expect(stored).toMatchObject({ endpoint: 'customer', status: 'verified', shape: 'firehose', appId: 'APPID0000001', body, merchantCount: 1, objectCount: 1 });
    // An order object: nothing to follow up, done at once.
    expect(stored.processingStatus).toBe('processed');
    expect((await client.service.deps.db.em().find(CloverWebhook, { body })).length).toBe(1);
    const events = await eventually(async () => env.events.filter((e) => e.type === 'payments.clover.webhook.received' && e.subject === id), (found) => found.length >= 1);
    expect(events[0]!.data).toMatchObject({ webhookId: id, shape: 'firehose', merchantCount: 1, objectCount: 1, paymentObjectCount: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(env.events.filter((e) => e.type === 'payments.clover.webhook.received' && e.subject === id)).toHaveLength(1);
  });

  it('accepts the {type, data} format too', async () => {
    const body = JSON.stringify({ type: 'charge.succeeded', merchantId: MERCHANT, data: { id: 'CHG0000000001', amount: 100, ts: Date.now() + Math.random() } });
    const reply = await sendCloverWebhook(url, body, { appSecret: APP_SECRET });
    expect(reply.status).toBe(200);
    const stored = await client.service.deps.db.em().findOneOrFail(CloverWebhook, { id: JSON.parse(reply.body).id });
    expect(stored).toMatchObject({ shape: 'event', merchantCount: 1, objectCount: 1, processingStatus: expect.any(String) });
  });

  it('refuses unsigned, wrongly signed and malformed webhooks with a clear 4xx, and journals why (never the body)', async () => {
    const body = freshFirehose();
    const unsigned = await sendCloverWebhook(url, body);
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body)).toMatchObject({ ok: false, reason: 'missing_signature', error: expect.stringMatching(/X-Clover-Auth-Code is missing/) });
    const forged = await sendCloverWebhook(url, body, { appSecret: 'not-the-app-secret' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body)).toMatchObject({ reason: 'bad_signature' });
    // Signed over other bytes: the signature binds the exact body.
    const tampered = await sendCloverWebhook(url, body.replace('CREATE', 'DELETE'), { signature: signCloverWebhook(APP_SECRET, body) });
    expect(JSON.parse(tampered.body)).toMatchObject({ reason: 'bad_signature' });
    const malformed = await sendCloverWebhook(url, '{"merchants": {', { appSecret: APP_SECRET });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ reason: 'malformed_json', error: expect.stringMatching(/not valid JSON/) });
    const latin1 = await sendCloverWebhook(url, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), { appSecret: APP_SECRET });
    expect(JSON.parse(latin1.body)).toMatchObject({ reason: 'not_utf8' });

    const rejected = await eventually(
      async () => (await client.graphql(WEBHOOKS, { status: 'rejected' }, ['ops'])).body.data.cloverWebhooks as any[],
      (list) => list.length >= 5,
    );
    expect(rejected.map((r) => r.reason).sort()).toEqual(expect.arrayContaining(['bad_signature', 'bad_signature', 'malformed_json', 'missing_signature', 'not_utf8']));
    expect((await rows()).filter((r) => r.status === 'rejected').every((r) => r.body === null)).toBe(true);
    // Operators only.
    const support = await client.graphql(WEBHOOKS, {}, ['support']);
    expect(support.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers 50 forged HMACs in parallel with 50 × 403, and stores none of them as verified', async () => {
    const before = (await rows()).filter((r) => r.status === 'verified').length;
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sendCloverWebhook(url, freshFirehose(), { signature: signCloverWebhook(`forger-${i}`, 'x') })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(403));
    expect((await rows()).filter((r) => r.status === 'verified').length).toBe(before);
  });

  it('stores 100 concurrent webhooks, each with its own outbox event, all published', async () => {
    const bodies = Array.from({ length: 100 }, () => freshFirehose());
    const replies = await Promise.all(bodies.map((body) => sendCloverWebhook(url, body, { appSecret: APP_SECRET })));
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
    const ids = replies.map((r) => JSON.parse(r.body).id as string);
    expect(new Set(ids).size).toBe(100);
    const stored = await client.service.deps.db.em().find(CloverWebhook, { id: { $in: ids } });
    expect(stored).toHaveLength(100);
    const outbox = await client.service.deps.db.em().find(OutboxEvent, { id: { $in: ids } });
    expect(outbox).toHaveLength(100);
    await eventually(async () => new Set(env.events.filter((e) => ids.includes(e.subject ?? '')).map((e) => e.subject)).size, (n) => n === 100);
  });

  it('refuses a body over the limit with 413 before reading it, whether its length is declared or streamed', async () => {
    // The seed's DoS attempt. Declared: refused on the headers. Streamed: refused at the limit.
    const declared = await postHuge(url, HUGE, 'declared');
    expect(declared.status).toBe(413);
    expect(declared.bytesSentBeforeAnswer).toBeLessThan(HUGE / 2);
    const streamed = await postHuge(url, HUGE, 'streamed');
    expect(streamed.status).toBe(413);
    expect(streamed.bytesSentBeforeAnswer).toBeLessThan(HUGE / 2);
    const tooLarge = await eventually(async () => (await rows()).filter((r) => r.reason === 'too_large'), (list) => list.length >= 2);
    expect(tooLarge[0]!.body).toBeNull();
  });

  it('verifies with the app secret of a connection when none is configured', async () => {
    const bare = await separateInstallation(env, await env.databaseUrl(db));
    await createConnection(bare, env.emulator);
    const bareUrl = `${bare.service.url()}/payment/clover/webhook`;
    const body = freshFirehose(env.emulator.app.id);
    const signed = await sendCloverWebhook(bareUrl, body, { appSecret: env.emulator.app.secret });
    expect(signed.status).toBe(200);
    const otherApp = await sendCloverWebhook(bareUrl, freshFirehose('UNKNOWNAPP01'), { appSecret: env.emulator.app.secret });
    expect(otherApp.status).toBe(403);
    expect(JSON.parse(otherApp.body)).toMatchObject({ reason: 'unknown_app', error: expect.stringMatching(/no app secret is known for app UNKNOWNAPP01/) });
  });
});

/**
 * Sends a POST of `total` bytes over a raw socket — with a Content-Length up front (`declared`) or
 * chunked without one — in 64 KiB pieces with pauses, reading the answer as soon as it comes.
 * Reports the status and how much had been sent by then.
 */
function postHuge(url: string, total: number, mode: 'declared' | 'streamed'): Promise<{ status: number; bytesSentBeforeAnswer: number }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer = '';
    let status = 0;
    let sentAtAnswer = 0;
    const socket = connect(Number(target.port), target.hostname);
    const finish = () => (status ? resolve({ status, bytesSentBeforeAnswer: sentAtAnswer }) : reject(new Error(`no answer after ${sent} bytes: ${answer}`)));
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match && !status) {
        status = Number(match[1]);
        sentAtAnswer = sent;
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    const length = mode === 'declared' ? `content-length: ${total}` : 'transfer-encoding: chunked';
    socket.write(`POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\n${length}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      if (status || socket.destroyed || sent >= total) return;
      sent += piece.length;
      const framed = mode === 'declared' ? piece : Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
      socket.write(framed, () => setTimeout(pump, 5));
    };
    pump();
  });
}
