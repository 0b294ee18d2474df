import { Delivery, DeliveryAttempt, OutboxEvent, type SubgraphService } from '@switchboard/kit';
import { eventually, type OdooWebhookReceiver } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentsDeps } from '../../src/service.js';
import { Payment } from '../../src/payments/payment.js';
import { WexVirtualCard } from '../../src/wex/virtual-card.js';
import { AUTH_TOKEN, graphql, odooRequest, post, rawDump, sleep, WexTestbed, type BusKind, type DbKind } from './support.js';

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'postgres'],
  ['nats', 'sqlite'],
  ['in-process', 'sqlite'],
];

const token = { 'x-proxy-auth-token': AUTH_TOKEN };

describe.each(MATRIX)('WEX card delivery to Odoo on %s bus with %s', (busKind, dbKind) => {
  const testbed = new WexTestbed();
  let service: SubgraphService<PaymentsDeps>;
  let odoo: OdooWebhookReceiver;
  let proxyUrl: string;

  beforeAll(async () => {
    await testbed.start();
    const bus = await testbed.bus(busKind);
    const databaseUrl = await testbed.databaseUrl(dbKind);
    odoo = await testbed.odooReceiver();
    service = await testbed.payments({ bus, databaseUrl });
    proxyUrl = `${service.url()}/proxy`;
  });
  afterAll(() => testbed.stop());

  const forPayment = (paymentId: string) => odoo.deliveries.filter((d) => d.body?.payment_id === paymentId);
  const card = (paymentId: string) => service.deps.db.em().findOneOrFail(WexVirtualCard, { odooPaymentId: paymentId });
  const delivery = async (paymentId: string) => service.deps.db.em().findOneOrFail(Delivery, { id: (await card(paymentId)).deliveryId! });

  it('re-sends an unacknowledged success with growing gaps and a stable _delivery_id, then reports it exhausted', async () => {
    const paymentId = `EXH-${busKind}-${dbKind}`;
    const response = await post(proxyUrl, odooRequest(paymentId), token);
    expect(response.status).toBe(200);
    const row = await eventually(() => delivery(paymentId), (d) => d.status === 'exhausted', { timeoutMs: 20_000 });
    const hits = forPayment(paymentId);
    expect(hits.map((h) => h.body._delivery_attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(hits.map((h) => h.body._delivery_id))).toEqual(new Set([row.id]));
    for (const hit of hits) {
      const { _delivery_id, _delivery_attempt, ...result } = hit.body;
      expect(result).toEqual(response.body);
    }
    // Gap after attempt n: ACK wait 1 s + backoff 0.3 s · 2^(n-1) = 1.3, 1.6, 2.2 s at least. Timers
    // never fire early, so the growing lower bounds prove the growing schedule (a loaded machine
    // only adds to each gap).
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    [1_300, 1_600, 2_200].forEach((least, i) => expect(gaps[i], `gap after attempt ${i + 1}`).toBeGreaterThanOrEqual(least - 20));
    const exhausted = (await service.deps.db.em().find(OutboxEvent, { type: 'payments.delivery.exhausted' }))
      .map((event) => JSON.parse(event.envelope))
      .find((event) => event.data.deliveryId === row.id);
    expect(exhausted.data).toMatchObject({ kind: 'wex.odoo-webhook', reference: (await card(paymentId)).id, attempts: 4, summary: expect.stringMatching(/never acknowledged/) });
  });

  it('an ACK after attempt 2 stops attempt 3', async () => {
    const paymentId = `ACK2-${busKind}-${dbKind}`;
    odoo.autoAck({ fromAttempt: 2 });
    try {
      expect((await post(proxyUrl, odooRequest(paymentId), token)).status).toBe(200);
      await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged', { timeoutMs: 10_000 });
      await sleep(2_200); // past when attempt 3 would have gone out (1.6 s after attempt 2)
      expect(forPayment(paymentId).map((h) => h.body._delivery_attempt)).toEqual([1, 2]);
      expect(odoo.acks.filter((a) => a.paymentId === paymentId)).toEqual([expect.objectContaining({ status: 200, body: { status: 'acknowledged', payment_id: paymentId } })]);
      expect(odoo.processed().filter((d) => d.body.payment_id === paymentId)).toHaveLength(1);
    } finally {
      odoo.autoAck(false);
    }
  });

  it('an ACK that races the recording of the attempt it answers is never lost', async () => {
    // Odoo ACKs from inside its webhook handling, i.e. while the proxy is still recording the 2xx.
    odoo.autoAck({ fromAttempt: 1 });
    try {
      const ids = Array.from({ length: 8 }, (_, i) => `RACE-ACK-${i}-${busKind}-${dbKind}`);
      for (const paymentId of ids) expect((await post(proxyUrl, odooRequest(paymentId), token)).status).toBe(200);
      for (const paymentId of ids) await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged');
      await sleep(1_600); // past the next attempt of any delivery whose ACK was overwritten
      expect(ids.map((paymentId) => [paymentId, forPayment(paymentId).length])).toEqual(ids.map((paymentId) => [paymentId, 1]));
      for (const paymentId of ids) expect((await delivery(paymentId)).status).toBe('acknowledged');
    } finally {
      odoo.autoAck(false);
    }
  });

  it('records failed attempts (status code, latency, error) and delivers once Odoo recovers', async () => {
    const paymentId = `REC-${busKind}-${dbKind}`;
    odoo.next({ kind: 'fail', status: 503 }, { kind: 'hang', ms: 3_000 });
    odoo.autoAck({ fromAttempt: 1 });
    try {
      expect((await post(proxyUrl, odooRequest(paymentId), token)).status).toBe(200);
      await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged', { timeoutMs: 15_000 });
      const attempts = await service.deps.db.em().find(DeliveryAttempt, { deliveryId: (await card(paymentId)).deliveryId! }, { orderBy: { attempt: 'asc' } });
      expect(attempts.slice(0, 3).map((a) => [a.attempt, a.statusCode ?? null])).toEqual([[1, 503], [2, null], [3, 200]]);
      // At least once: should the ACK be slower than the ACK wait, one more 2xx attempt is fine.
      expect(attempts.slice(3).every((a) => a.statusCode === 200)).toBe(true);
      expect(attempts[0]!.error).toBe('HTTP 503');
      expect(attempts[1]!.error).toMatch(/timeout/);
      expect(attempts[1]!.latencyMs).toBeGreaterThanOrEqual(1_900);
    } finally {
      odoo.autoAck(false);
    }
  });

  it('forwards an error result exactly once, even when Odoo fails to take it', async () => {
    const paymentId = `ERR-${busKind}-${dbKind}`;
    testbed.wex.next({ kind: 'decline', message: 'Declined: vendor over limit' });
    odoo.next({ kind: 'fail', status: 500 });
    const response = await post(proxyUrl, odooRequest(paymentId), token);
    expect(response.status).toBe(402);
    expect(response.body).toEqual({ _model: 'x_requests', _id: `req-${paymentId}`, status: 402, error: 'Declined: vendor over limit' });
    const forward = await eventually(
      async () => service.deps.db.em().findOne(Delivery, { reference: (await card(paymentId)).id, kind: 'wex.odoo-error-forward' }),
      (row) => row?.status === 'exhausted',
    );
    await sleep(1_000);
    expect(forPayment(paymentId)).toEqual([]); // the error body has no payment_id: match by _id
    expect(odoo.deliveries.filter((d) => d.body?._id === `req-${paymentId}`).map((d) => d.body)).toEqual([response.body]);
    expect(forward!.attempts).toBe(1);
    // The same request again: WEX's answer is known, nothing is called or forwarded again.
    const again = await post(proxyUrl, odooRequest(paymentId), token);
    expect(again).toMatchObject({ status: 402, body: response.body });
    await sleep(300);
    expect(odoo.deliveries.filter((d) => d.body?._id === `req-${paymentId}`)).toHaveLength(1);
  });

  it('the same request twice, or five at once, issues one card and gets the first answer', async () => {
    const paymentId = `IDEM-${busKind}-${dbKind}`;
    odoo.autoAck({ fromAttempt: 1 });
    try {
      const cardsBefore = testbed.wex.cards.length;
      const first = await post(proxyUrl, odooRequest(paymentId), token);
      const second = await post(proxyUrl, odooRequest(paymentId), token);
      expect(first.status).toBe(200);
      expect(second).toEqual(first);
      const racing = `RACE-${busKind}-${dbKind}`;
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(proxyUrl, odooRequest(racing), token)));
      expect(new Set(answers.map((a) => a.text))).toHaveProperty('size', 1);
      expect(answers[0]!.status).toBe(200);
      expect(testbed.wex.cards.length - cardsBefore).toBe(2);
      await eventually(() => delivery(racing), (d) => d.status === 'acknowledged');
      expect(odoo.processed().filter((d) => [paymentId, racing].includes(d.body.payment_id))).toHaveLength(2);
      // Same payment id, different amount: refused, naming the field; still one card.
      const changed = await post(proxyUrl, odooRequest(paymentId, { x_studio_vendor_payment_amount_requested: 99 }), token);
      expect(changed.status).toBe(409);
      expect(changed.body).toMatchObject({ error: 'Conflict', field: 'x_studio_vendor_payment_amount_requested' });
      expect(testbed.wex.cards.length - cardsBefore).toBe(2);
      expect(await service.deps.db.em().count(WexVirtualCard, { odooPaymentId: { $in: [paymentId, racing] } })).toBe(2);
    } finally {
      odoo.autoAck(false);
    }
  });

  it('different requests at once (reserved and recorded together) each get their own card, answer and delivery', async () => {
    const paymentIds = Array.from({ length: 8 }, (_, i) => `BURST-${busKind}-${dbKind}-${i}`);
    odoo.autoAck({ fromAttempt: 1 });
    try {
      const cardsBefore = testbed.wex.cards.length;
      const answers = await Promise.all(paymentIds.map((paymentId) => post(proxyUrl, odooRequest(paymentId), token)));
      expect(answers.map((a) => a.status)).toEqual(paymentIds.map(() => 200));
      expect(answers.map((a) => a.body.payment_id)).toEqual(paymentIds);
      expect(answers.map((a) => a.body._id)).toEqual(paymentIds.map((paymentId) => `req-${paymentId}`));
      expect(testbed.wex.cards.length - cardsBefore).toBe(paymentIds.length);
      for (const paymentId of paymentIds) await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged');
      expect(await service.deps.db.em().count(WexVirtualCard, { odooPaymentId: { $in: paymentIds }, status: 'issued' })).toBe(paymentIds.length);
      expect(await service.deps.db.em().count(Payment, { provider: 'wex', reference: { $in: paymentIds.map((paymentId) => `INV-${paymentId}`) }, status: 'succeeded' })).toBe(paymentIds.length);
    } finally {
      odoo.autoAck(false);
    }
  });

  it('keeps no plaintext card number or security code in any table', async () => {
    const paymentId = `PAN-${busKind}-${dbKind}`;
    odoo.autoAck({ fromAttempt: 2 });
    try {
      const response = await post(proxyUrl, odooRequest(paymentId), token);
      expect(response.status).toBe(200);
      await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged');
    } finally {
      odoo.autoAck(false);
    }
    const dump = await rawDump(service.deps.db);
    expect(Object.keys(dump)).toEqual(expect.arrayContaining(['wex_virtual_card', 'payment', 'delivery', 'delivery_attempt', 'outbox_event']));
    for (const issued of testbed.wex.cards) {
      for (const [table, rows] of Object.entries(dump)) {
        for (const row of rows) expect(row, `${table} holds a card number`).not.toContain(issued.number);
      }
    }
    // The stored delivery bodies keep the documented keys, with the secrets left out.
    const bodies = dump.delivery!.map((row) => JSON.parse(JSON.parse(row).body)).filter((body) => 'card_number' in body);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect([body.card_number, body.security_code]).toEqual([null, null]);
    // The card row: sealed (key id kept for rotation), last four in clear.
    const row = await card(paymentId);
    expect(row.cardSealed).toMatch(/^v1\.dev\./);
    expect(row.cardKeyId).toBe('dev');
    expect(row.cardLastFour).toBe(testbed.wex.cards.at(-1)!.number.slice(-4));
  });

  it('GraphQL: the card with last four, Money amount, delivery status and every attempt; a Payment of kind virtual_card', async () => {
    const paymentId = `GQL-${busKind}-${dbKind}`;
    odoo.next({ kind: 'fail', status: 500 });
    expect((await post(proxyUrl, odooRequest(paymentId, { x_studio_vendor_payment_amount_requested: '1234.5' }), token)).status).toBe(200);
    const deliveryId = (await card(paymentId)).deliveryId!;
    await eventually(() => service.deps.db.em().count(DeliveryAttempt, { deliveryId }), (n) => n >= 2);
    const query = `query($p: String!) { wexVirtualCard(paymentId: $p) {
      id paymentId vendorName amount { amount currency } lastFour status deliveryStatus wexCalls
      delivery { id status attempts attemptLog { attempt statusCode latencyMs error } }
      payment { id kind provider status amount { amount currency } cardLast4 virtualCard { paymentId } }
    } }`;
    const { body } = await graphql(service, query, { p: paymentId }, ['finance']);
    expect(body.errors).toBeUndefined();
    const view = body.data.wexVirtualCard;
    const issued = testbed.wex.cards.at(-1)!;
    expect(view).toMatchObject({
      paymentId,
      vendorName: 'Acme Hauling LLC',
      amount: { amount: '1234.50', currency: 'USD' },
      lastFour: issued.number.slice(-4),
      status: 'issued',
      wexCalls: 1,
      payment: { id: view.id, kind: 'virtual_card', provider: 'wex', status: 'succeeded', amount: { amount: '1234.50', currency: 'USD' }, cardLast4: issued.number.slice(-4), virtualCard: { paymentId } },
    });
    expect(JSON.stringify(body)).not.toContain(issued.number);
    expect(view.delivery.attemptLog[0]).toEqual({ attempt: 1, statusCode: 500, latencyMs: expect.any(Number), error: 'HTTP 500' });
    expect(view.delivery.attemptLog[1]).toMatchObject({ attempt: 2, statusCode: 200, error: null });
    expect(view.deliveryStatus).toMatch(/awaiting_ack|in_flight|pending/);

    // Acknowledge by hand, then re-send: another round, same _delivery_id.
    const acked = await graphql(service, `mutation($p: String!) { acknowledgeWexVirtualCard(paymentId: $p) { deliveryStatus } }`, { p: paymentId }, ['ops']);
    expect(acked.body.data.acknowledgeWexVirtualCard.deliveryStatus).toBe('acknowledged');
    const before = forPayment(paymentId).length;
    odoo.autoAck({ fromAttempt: 1 });
    try {
      const resent = await graphql(service, `mutation($p: String!) { resendWexVirtualCardDelivery(paymentId: $p) { paymentId } }`, { p: paymentId }, ['ops']);
      expect(resent.body.errors).toBeUndefined();
      await eventually(async () => forPayment(paymentId).length, (n) => n === before + 1);
      await eventually(() => delivery(paymentId), (d) => d.status === 'acknowledged');
    } finally {
      odoo.autoAck(false);
    }
    const last = forPayment(paymentId).at(-1)!.body;
    expect(last._delivery_id).toBe(view.delivery.id);
    expect(last._delivery_attempt).toBeGreaterThan(2);
    expect(last.card_number).toBe(issued.number);

    const support = await graphql(service, `{ wexVirtualCards { id } }`, {}, ['support']);
    expect(support.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listed = await graphql(service, `{ wexVirtualCards(vendor: "Hauling", limit: 500) { paymentId } }`, {}, ['ops']);
    expect(listed.body.data.wexVirtualCards.map((c: { paymentId: string }) => c.paymentId)).toContain(paymentId);
  });
});
