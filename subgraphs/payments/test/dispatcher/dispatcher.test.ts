import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, firehoseBody, objectEvent, sendCloverWebhook, signCloverWebhook, verificationBody } from '@switchboard/testkit';
import { Delivery } from '@switchboard/kit';
import { CloverWebhook } from '../../src/clover-webhooks/clover-webhook.js';
import { APP_SECRET, CloverTestEnvironment, separateInstallation, startRecordingReceiver, stopInstallations, type CloverTestService, type DbKind } from '../clover-webhooks/support.js';

type Receiver = Awaited<ReturnType<typeof startRecordingReceiver>>;

/** 1000 routed merchants, spread over three customer installations. */
const MANY = Array.from({ length: 1000 }, (_, i) => `MANY${String(i).padStart(9, '0')}`);
const ROUTING = `{ cloverDispatcherRouting { appId appIdSource allowedHosts { host source } merchants { merchantId webhookUrl baseUrl customer source } callbackUrl } }`;
const SET_ROUTE = `mutation($input: CloverDispatcherRouteInput!) { setCloverDispatcherRoute(input: $input) { merchants { merchantId webhookUrl baseUrl source } } }`;
const ALLOW = `mutation($host: String!, $allowed: Boolean!) { setCloverDispatcherHostAllowed(host: $host, allowed: $allowed) { allowedHosts { host source } } }`;

/**
 * `POST /clover/webhook` and `GET /clover/webhook`: route by merchant id, forward the raw body
 * verbatim with X-Clover-Auth-Code through the kit's deliveries (retries, attempts recorded), and
 * the seed's hammer rows: 1001 merchant ids in one payload, 100 concurrent webhooks, 9.4 MB.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover dispatcher webhook fan-out on %s', (db) => {
  const env = new CloverTestEnvironment();
  let dispatcher: CloverTestService;
  let customer: CloverTestService;
  let receivers: Receiver[];
  let url: string;

  beforeAll(async () => {
    await env.start();
    receivers = await Promise.all([startRecordingReceiver(), startRecordingReceiver(), startRecordingReceiver()]);
    // A real customer installation too: it re-verifies what the dispatcher forwards.
    customer = await separateInstallation(env, await env.databaseUrl(db), { CLOVER_WEBHOOK_APP_SECRET: APP_SECRET });
    const routing: Record<string, string> = {
      MERCHANTA0001: receivers[0]!.url,
      MERCHANTB0001: receivers[1]!.url,
      MERCHANTB0002: receivers[1]!.url,
      CUSTOMERSIDE1: `${customer.service.url()}/payment/clover/webhook`,
    };
    MANY.forEach((merchantId, i) => (routing[merchantId] = receivers[i % 3]!.url));
    dispatcher = await env.service(await env.databaseUrl(db), {
      CLOVER_DISPATCHER_MERCHANT_ROUTING: JSON.stringify(routing),
      CLOVER_DISPATCHER_ALLOWED_HOSTS: 'erp.customer-a.test',
      CLOVER_DISPATCHER_FORWARD_RETRY_BASE_MS: '100',
      CLOVER_DISPATCHER_FORWARD_MAX_ATTEMPTS: '3',
      CLOVER_WEBHOOK_BODY_LIMIT_BYTES: String(1024 * 1024),
    });
    url = `${dispatcher.service.url()}/clover/webhook`;
  });
  afterAll(async () => {
    await stopInstallations();
    await env.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  const firehose = (merchantIds: string[]) =>
    firehoseBody(env.emulator.app.id, Object.fromEntries(merchantIds.map((m) => [m, [objectEvent('P', m, randomUUID().replace(/-/g, '').slice(0, 13).toUpperCase(), 'CREATE', Date.now() + Math.random())]])));
  const forwardsOf = (body: string) => receivers.flatMap((r, i) => r.received.filter((hit) => hit.body.toString('utf8') === body).map((hit) => ({ receiver: i, hit })));
  /** Which receivers got `body` (printable when a wait times out). */
  const receiversOf = (body: string) => forwardsOf(body).map((f) => f.receiver).sort();
  const deliveriesOf = async (webhookId: string) =>
    (await dispatcher.service.deps.db.em().find(Delivery, { reference: webhookId })).map(({ id, status, attempts, lastStatusCode }) => ({ id, status, attempts, lastStatusCode }));

  it('answers Clover liveness pings and /healthz', async () => {
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`${dispatcher.service.url()}/healthz`)).status).toBe(200);
  });

  it('forwards the raw body verbatim, with X-Clover-Auth-Code, once per customer installation', async () => {
    // Odd spacing and key order: a re-serialized body would not match the signature.
    const body = `{"merchants":{"MERCHANTA0001":[{"objectId":"P:MERCHANTA0001/AAA0000000001","type":"CREATE","ts":${Date.now()}}],  "MERCHANTB0001":[],"MERCHANTB0002":[]},"appId":"${env.emulator.app.id}"}`;
    const signature = signCloverWebhook(APP_SECRET, body);
    const reply = await sendCloverWebhook(url, body, { signature });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, duplicate: false, forwarded: 2, unroutedCount: 0 });
    await eventually(async () => receiversOf(body), (list) => list.length === 2);
    expect(receiversOf(body)).toEqual([0, 1]);
    for (const { hit } of forwardsOf(body)) {
      expect(hit.body.toString('utf8')).toBe(body);
      expect(hit.headers['x-clover-auth-code']).toBe(signature);
      expect(hit.headers['content-type']).toBe('application/json');
    }
    const id = JSON.parse(reply.body).id as string;
    const listed = await eventually(
      async () => (await dispatcher.graphql(`query { cloverWebhooks(endpoint: "dispatcher", limit: 5) { id status forwardCount deliveries { targetUrl status attempts attemptLog { attempt statusCode } } } }`, {}, ['ops'])).body.data.cloverWebhooks.find((w: any) => w.id === id),
      (w) => w.deliveries.every((d: any) => d.status === 'delivered'),
    );
    expect(listed).toMatchObject({ status: 'forwarded', forwardCount: 2 });
    expect(listed.deliveries.map((d: any) => d.attemptLog)).toEqual([[{ attempt: 1, statusCode: 200 }], [{ attempt: 1, statusCode: 200 }]]);
    // Clover re-sending the same webhook: no second forward.
    const again = await sendCloverWebhook(url, body, { signature });
    expect(JSON.parse(again.body)).toMatchObject({ id, duplicate: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(forwardsOf(body)).toHaveLength(2);
  });

  it('retries a customer that fails, recording every attempt', async () => {
    receivers[0]!.respondWith(503);
    const body = firehose(['MERCHANTA0001']);
    const reply = await sendCloverWebhook(url, body, { appSecret: APP_SECRET });
    await eventually(async () => forwardsOf(body).length, (n) => n >= 1);
    receivers[0]!.respondWith(200);
    const [delivery] = await eventually(() => deliveriesOf(JSON.parse(reply.body).id), (list) => list[0]?.status === 'delivered');
    expect(delivery!.attempts).toBe(2);
    const attempts = await dispatcher.graphql(`query { cloverDispatcherDeliveries(limit: 10) { id attemptLog { attempt statusCode error } } }`, {}, ['ops']);
    expect(attempts.body.data.cloverDispatcherDeliveries.find((d: any) => d.id === delivery!.id).attemptLog).toEqual([
      { attempt: 1, statusCode: 503, error: 'HTTP 503' },
      { attempt: 2, statusCode: 200, error: null },
    ]);
  });

  it('routes a payload naming 1001 merchant ids: three forwards, the unknown one reported', async () => {
    const body = firehose([...MANY, 'NOTROUTED0001']);
    const reply = await sendCloverWebhook(url, body, { appSecret: APP_SECRET });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ forwarded: 3, unroutedCount: 1, unrouted: ['NOTROUTED0001'] });
    await eventually(async () => receiversOf(body), (list) => list.length === 3);
    expect(receiversOf(body)).toEqual([0, 1, 2]);
    const row = await dispatcher.service.deps.db.em().findOneOrFail(CloverWebhook, { id: JSON.parse(reply.body).id });
    expect(row).toMatchObject({ merchantCount: 1001, forwardCount: 3, unroutedMerchantIds: JSON.stringify(['NOTROUTED0001']) });
  });

  it('accepts 100 concurrent webhooks and forwards all 100', async () => {
    const bodies = Array.from({ length: 100 }, (_, i) => firehose([MANY[i]!]));
    const replies = await Promise.all(bodies.map((body) => sendCloverWebhook(url, body, { appSecret: APP_SECRET })));
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
    await eventually(async () => bodies.filter((body) => forwardsOf(body).length === 1).length, (n) => n === 100, { timeoutMs: 20_000 });
  });

  it('gives unroutable, unreadable and oversized webhooks a clear 4xx', async () => {
    const unknown = await sendCloverWebhook(url, firehose(['NOBODY0000001']), { appSecret: APP_SECRET });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ reason: 'unknown_merchant', error: expect.stringMatching(/NOBODY0000001/) });
    const anonymous = await sendCloverWebhook(url, JSON.stringify({ appId: 'X', something: 'else' }));
    expect(anonymous.status).toBe(400);
    expect(JSON.parse(anonymous.body)).toMatchObject({ reason: 'no_merchant' });
    const malformed = await sendCloverWebhook(url, '{"merchants":');
    expect(JSON.parse(malformed.body)).toMatchObject({ reason: 'malformed_json' });
    const huge = await sendCloverWebhook(url, Buffer.alloc(Math.round(9.4 * 1024 * 1024), 0x20)).catch((error: Error) => ({ status: -1, body: error.message }));
    expect(huge.status).toBe(413);
    // The single-event format routes by merchantId.
    const single = await sendCloverWebhook(url, JSON.stringify({ type: 'charge.succeeded', merchantId: 'MERCHANTB0001', data: { id: 'X', n: randomUUID() } }));
    expect(JSON.parse(single.body)).toMatchObject({ forwarded: 1 });
  });

  it('passes the verification challenge to every routed customer and shows the code', async () => {
    const code = randomUUID();
    const reply = await sendCloverWebhook(url, verificationBody(code));
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, verificationCode: code, forwarded: 4 });
    const body = verificationBody(code);
    await eventually(async () => forwardsOf(body).length, (n) => n === 3);
    // The real customer installation took it too.
    await eventually(
      async () => (await customer.graphql(`{ cloverWebhookVerificationCodes { code } }`, {}, ['ops'])).body.data.cloverWebhookVerificationCodes,
      (codes) => codes.some((c: any) => c.code === code),
    );
    const shown = await dispatcher.graphql(`{ cloverWebhookVerificationCodes { code endpoint forwardCount } }`, {}, ['ops']);
    expect(shown.body.data.cloverWebhookVerificationCodes).toContainEqual({ code, endpoint: 'dispatcher', forwardCount: 4 });
  });

  it('the customer installation re-verifies what is forwarded: signed ones are stored, forged ones refused and retried until exhausted', async () => {
    const good = firehose(['CUSTOMERSIDE1']);
    const forwarded = await sendCloverWebhook(url, good, { appSecret: APP_SECRET });
    const [delivery] = await eventually(() => deliveriesOf(JSON.parse(forwarded.body).id), (list) => list[0]?.status === 'delivered');
    expect(delivery!.lastStatusCode).toBe(200);
    expect(await customer.service.deps.db.em().count(CloverWebhook, { body: good, status: 'verified' })).toBe(1);

    const forged = firehose(['CUSTOMERSIDE1']);
    const refused = await sendCloverWebhook(url, forged, { appSecret: 'forger' });
    expect(refused.status).toBe(200); // the dispatcher is a dumb pipe: it cannot tell
    const [gaveUp] = await eventually(() => deliveriesOf(JSON.parse(refused.body).id), (list) => list[0]?.status === 'exhausted', { timeoutMs: 15_000 });
    expect(gaveUp).toMatchObject({ attempts: 3, lastStatusCode: 403 });
    await eventually(async () => env.events.filter((e) => e.type === 'payments.delivery.exhausted' && e.data.deliveryId === gaveUp!.id), (list) => list.length === 1);
  });

  it('routing tables are editable by admins, visible to ops, and take effect at once', async () => {
    const shown = (await dispatcher.graphql(ROUTING, {}, ['ops'])).body.data.cloverDispatcherRouting;
    expect(shown.allowedHosts).toEqual([{ host: 'erp.customer-a.test', source: 'config' }]);
    expect(shown.merchants.find((m: any) => m.merchantId === 'MERCHANTA0001')).toMatchObject({ webhookUrl: receivers[0]!.url, source: 'config' });

    const byOps = await dispatcher.graphql(SET_ROUTE, { input: { merchantId: 'NEWMERCHANT01', webhookUrl: receivers[2]!.url } }, ['ops']);
    expect(byOps.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badUrl = await dispatcher.graphql(SET_ROUTE, { input: { merchantId: 'NEWMERCHANT01', webhookUrl: 'ftp://x' } }, ['admin']);
    expect(badUrl.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'webhookUrl' });
    const hostNotAllowed = await dispatcher.graphql(SET_ROUTE, { input: { merchantId: 'NEWMERCHANT01', baseUrl: 'https://erp.customer-z.test' } }, ['admin']);
    expect(hostNotAllowed.body.errors?.[0]).toMatchObject({ extensions: { field: 'baseUrl' }, message: expect.stringMatching(/allow-list/) });

    const body = firehose(['NEWMERCHANT01']);
    expect((await sendCloverWebhook(url, body)).status).toBe(404);
    const added = await dispatcher.graphql(SET_ROUTE, { input: { merchantId: 'NEWMERCHANT01', webhookUrl: receivers[2]!.url } }, ['admin']);
    expect(added.body.data.setCloverDispatcherRoute.merchants).toContainEqual({ merchantId: 'NEWMERCHANT01', webhookUrl: receivers[2]!.url, baseUrl: null, source: 'admin' });
    expect((await sendCloverWebhook(url, body)).status).toBe(200);
    await eventually(async () => receiversOf(body), (list) => list.length === 1 && list[0] === 2);

    const allowed = await dispatcher.graphql(ALLOW, { host: 'ERP.Customer-Z.test', allowed: true }, ['admin']);
    expect(allowed.body.data.setCloverDispatcherHostAllowed.allowedHosts).toContainEqual({ host: 'erp.customer-z.test', source: 'admin' });
    const badHost = await dispatcher.graphql(ALLOW, { host: 'https://evil/path', allowed: true }, ['admin']);
    expect(badHost.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'host' });

    const removed = await dispatcher.graphql(`mutation { removeCloverDispatcherRoute(merchantId: "MERCHANTB0002") { merchants { merchantId } } }`, {}, ['admin']);
    expect(removed.body.data.removeCloverDispatcherRoute.merchants.map((m: any) => m.merchantId)).not.toContain('MERCHANTB0002');
    expect((await sendCloverWebhook(url, firehose(['MERCHANTB0002']))).status).toBe(404);

    const app = await dispatcher.graphql(`mutation { setCloverDispatcherAppId(appId: "NEWAPP000001") { appId appIdSource } }`, {}, ['admin']);
    expect(app.body.data.setCloverDispatcherAppId).toEqual({ appId: 'NEWAPP000001', appIdSource: 'admin' });
    // Another replica (a fresh service on the same database) sees the edits.
    const replica = await env.service(dispatcher.service.deps.config.DATABASE_URL, {
      CLOVER_DISPATCHER_MERCHANT_ROUTING: JSON.stringify({ MERCHANTB0002: receivers[1]!.url }),
    });
    const seen = (await replica.graphql(ROUTING, {}, ['ops'])).body.data.cloverDispatcherRouting;
    expect(seen).toMatchObject({ appId: 'NEWAPP000001', appIdSource: 'admin' });
    expect(seen.merchants.map((m: any) => m.merchantId)).toEqual(['NEWMERCHANT01']);
  });
});
