import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { CloverTestEnvironment, COLLECT, connected, createConnection, key, PAYMENT_FIELDS, type CloverTestService, type Connected, type DbKind } from './support.js';

const TERMINAL_FIELDS = 'id connectionId deviceId serial name model isDefault lastPingAt lastPingOk lastPingMessage removedAt';
const SYNC = `mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { ${TERMINAL_FIELDS} } }`;
const STATUS = `mutation($id: ID!) { refreshPaymentStatus(paymentId: $id) { ${PAYMENT_FIELDS} } }`;

/** Terminals: sync, default, rename, ping, welcome screen, and payments through REST Pay Display. */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover terminals on %s', (db) => {
  const env = new CloverTestEnvironment({ bus: 'in-process' });
  let client: CloverTestService;
  let merchant: Connected;
  let terminalId: string;

  beforeAll(async () => {
    await env.start();
    client = await env.service(await env.databaseUrl(db));
    merchant = await connected(client, env.emulator);
  });
  afterAll(() => env.stop());

  const collectOnTerminal = (extra: Record<string, unknown> = {}) =>
    client.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key('t'), amount: '12.00', terminal: true, orderId: 'ORD-T', applySurcharge: false, ...extra } });
  const settled = async (paymentId: string) => {
    await client.service.deps.clover.runner.settled(paymentId);
    return (await client.graphql(`query($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`, { id: paymentId })).body.data.payment;
  };

  it('sync mirrors the devices; the first becomes the default; renames survive; vanished devices are marked removed', async () => {
    const second = env.emulator.control.addDevice(merchant.merchant.id, { name: 'Back office Mini', model: 'Clover_Mini' });
    const first = (await client.graphql(SYNC, { id: merchant.id })).body.data.syncCloverTerminals;
    expect(first).toHaveLength(2);
    expect(first.filter((t: any) => t.isDefault)).toHaveLength(1);
    const counter = first.find((t: any) => t.serial === merchant.device.serial);
    terminalId = counter.id;

    const renamed = await client.graphql(`mutation($id: ID!) { renameCloverTerminal(terminalId: $id, name: "Till 1") { name } }`, { id: counter.id });
    expect(renamed.body.data.renameCloverTerminal.name).toBe('Till 1');
    const chosen = await client.graphql(`mutation($id: ID!) { setDefaultCloverTerminal(terminalId: $id) { isDefault } }`, { id: counter.id });
    expect(chosen.body.data.setDefaultCloverTerminal.isDefault).toBe(true);

    merchant.merchant.devices.delete(second.serial);
    const again = (await client.graphql(SYNC, { id: merchant.id })).body.data.syncCloverTerminals;
    expect(again).toEqual([expect.objectContaining({ id: counter.id, name: 'Till 1', isDefault: true, removedAt: null })]);
    const all = await client.graphql(`query($id: ID!) { cloverTerminals(connectionId: $id, includeRemoved: true) { serial removedAt } }`, { id: merchant.id });
    expect(all.body.data.cloverTerminals.find((t: any) => t.serial === second.serial).removedAt).not.toBeNull();
    const connection = await client.graphql(`query($id: ID!) { cloverConnection(id: $id) { defaultTerminal { id } terminals { id } } }`, { id: merchant.id });
    expect(connection.body.data.cloverConnection).toEqual({ defaultTerminal: { id: counter.id }, terminals: [{ id: counter.id }] });
    const empty = await client.graphql(`mutation($id: ID!) { renameCloverTerminal(terminalId: $id, name: "  ") { name } }`, { id: counter.id });
    expect(empty.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('ping reports whether Cloud Pay Display answers; the welcome screen is shown on the device', async () => {
    const ok = await client.graphql(`mutation($id: ID!) { pingCloverTerminal(terminalId: $id) { ok message latencyMs } }`, { id: terminalId });
    expect(ok.body.data.pingCloverTerminal.ok).toBe(true);
    env.emulator.control.setDeviceOnline(merchant.device.serial, false);
    const down = await client.graphql(`mutation($id: ID!) { pingCloverTerminal(terminalId: $id) { ok message } }`, { id: terminalId });
    expect(down.body.data.pingCloverTerminal).toMatchObject({ ok: false, message: expect.stringMatching(/Cloud Pay Display is not running/) });
    const terminals = await client.graphql(`query($id: ID!) { cloverTerminals(connectionId: $id) { lastPingOk lastPingMessage } }`, { id: merchant.id });
    expect(terminals.body.data.cloverTerminals[0].lastPingOk).toBe(false);
    env.emulator.control.setDeviceOnline(merchant.device.serial, true);

    const welcome = await client.graphql(`mutation($id: ID!) { showCloverWelcomeScreen(terminalId: $id) }`, { id: terminalId });
    expect(welcome.body.data.showCloverWelcomeScreen).toBe(true);
    expect(merchant.device.screens).toContain('welcome');
  });

  it('a terminal payment is pending at once, then settled by the device answer; REST Pay headers are right', async () => {
    env.emulator.control.reset();
    env.emulator.control.queueDeviceOutcome(merchant.device.serial, { result: 'approve', delayMs: 300 });
    const started = await collectOnTerminal();
    const pending = started.body.data.collectPayment;
    expect(pending).toMatchObject({ status: 'pending', method: 'terminal', amount: { amount: '12.00' } });

    const done = await settled(pending.id);
    expect(done).toMatchObject({ status: 'succeeded', cardBrand: 'VISA', cardLast4: '0119', orderId: 'ORD-T' });
    const [call] = env.emulator.control.requests({ path: '/connect/v1/payments' });
    expect(call!.headers['x-pos-id']).toBe(env.emulator.app.raid);
    expect(call!.headers['x-clover-device-id']).toBe(merchant.device.serial);
    expect(call!.headers['idempotency-key']).toBe(pending.id);
    expect(env.emulator.state.accessTokens.has(call!.headers['authorization']!.replace('Bearer ', ''))).toBe(true);
    expect(call!.body).toMatchObject({ amount: 1200, externalPaymentId: pending.id });
    const [event] = await eventually(async () => env.eventsFor(pending.id), (list) => list.length === 1);
    expect(event!.data).toMatchObject({ kind: 'charge', amount: '12.00', orderId: 'ORD-T' });
  });

  it.each([
    ['decline', 'card_declined'],
    ['cancel', 'canceled'],
  ] as const)('a %s at the device fails the payment with code %s', async (outcome, code) => {
    env.emulator.control.queueDeviceOutcome(merchant.device.serial, { result: outcome });
    const pending = (await collectOnTerminal()).body.data.collectPayment;
    expect(await settled(pending.id)).toMatchObject({ status: 'failed', failureCode: code });
  });

  it('a lost device answer leaves the payment pending; the status poll finds it at Clover', async () => {
    env.emulator.control.queueDeviceOutcome(merchant.device.serial, { result: 'lose-response' });
    const pending = (await collectOnTerminal()).body.data.collectPayment;
    const stillPending = await settled(pending.id);
    expect(stillPending).toMatchObject({ status: 'pending', failureMessage: expect.stringMatching(/outcome unknown/) });
    const polled = (await client.graphql(STATUS, { id: pending.id })).body.data.refreshPaymentStatus;
    expect(polled).toMatchObject({ status: 'succeeded', amount: { amount: '12.00' } });
    expect([...env.emulator.state.charges.values()].filter((c) => c.externalPaymentId === pending.id)).toHaveLength(1);
  });

  it('a device that is not running Cloud Pay Display fails the payment cleanly', async () => {
    env.emulator.control.setDeviceOnline(merchant.device.serial, false);
    const pending = (await collectOnTerminal()).body.data.collectPayment;
    expect(await settled(pending.id)).toMatchObject({ status: 'failed', failureCode: 'device_unavailable' });
    env.emulator.control.setDeviceOnline(merchant.device.serial, true);
  });

  it('a terminal credit pays money back on the device', async () => {
    const result = await client.graphql(`mutation($input: IssueCreditInput!) { issueCredit(input: $input) { ${PAYMENT_FIELDS} } }`, {
      input: { connectionId: merchant.id, idempotencyKey: key('tc'), amount: '4.00', terminalId },
    });
    const pending = result.body.data.issueCredit;
    expect(pending.status).toBe('pending');
    expect(await settled(pending.id)).toMatchObject({ kind: 'credit', status: 'succeeded', cardLast4: '0119' });
  });

  it('REST Pay Display only with OAuth: a connection with just an ecommerce key is refused before any call, and Clover refuses such keys too', async () => {
    const fresh = env.emulator.control.createMerchant({ name: 'Key-only merchant' });
    const device = env.emulator.control.addDevice(fresh.id);
    const id = await createConnection(client, env.emulator, { merchantId: fresh.id, ecommercePrivateKey: fresh.ecommercePrivateKey });
    env.emulator.control.reset();
    const refused = await client.graphql(COLLECT, { input: { connectionId: id, idempotencyKey: key('k'), amount: '1.00', terminal: true, invoiceId: 'I' } });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'not_connected' });
    expect(env.emulator.control.requests()).toHaveLength(0);

    const direct = await fetch(`${env.emulator.url}/connect/v1/device/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fresh.ecommercePrivateKey}`, 'x-pos-id': 'pos', 'x-clover-device-id': device.serial },
      body: '{}',
    });
    expect(direct.status).toBe(401);
    expect(((await direct.json()) as any).message).toMatch(/must use OAuth tokens/);
  });
});

describe('Clover terminals in production mode', () => {
  const env = new CloverTestEnvironment({ bus: 'in-process', emulator: { mode: 'production' } });
  let client: CloverTestService;

  beforeAll(async () => {
    await env.start();
    const urls = env.emulator.urls;
    client = await env.service(await env.databaseUrl('sqlite'), {
      CLOVER_PRODUCTION_OAUTH_URL: urls.ui,
      CLOVER_PRODUCTION_API_URL: urls.api,
      CLOVER_PRODUCTION_ECOMMERCE_URL: urls.ecommerce,
      CLOVER_PRODUCTION_TOKEN_URL: urls.token,
    });
  });
  afterAll(() => env.stop());

  it('X-POS-Id must be the RAID: with it the payment goes through; without a RAID it is refused up front', async () => {
    const merchant = await connected(client, env.emulator, { environment: 'production' });
    await client.graphql(SYNC, { id: merchant.id });
    const ok = (await client.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key('p'), amount: '2.00', terminal: true, invoiceId: 'I' } })).body.data.collectPayment;
    await client.service.deps.clover.runner.settled(ok.id);
    expect((await client.graphql(`query($id: ID!) { payment(id: $id) { status } }`, { id: ok.id })).body.data.payment.status).toBe('succeeded');

    await client.graphql(`mutation($id: ID!, $raid: String) { updateCloverConnection(id: $id, input: { remoteAppId: $raid }) { remoteAppId } }`, {
      id: merchant.id,
      raid: `WRONGRAID0001.${env.emulator.app.id}`,
    });
    const wrong = (await client.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key('p'), amount: '2.00', terminal: true, invoiceId: 'I' } })).body.data.collectPayment;
    await client.service.deps.clover.runner.settled(wrong.id);
    expect((await client.graphql(`query($id: ID!) { payment(id: $id) { status failureCode failureMessage } }`, { id: wrong.id })).body.data.payment).toEqual({
      status: 'failed',
      failureCode: 'clover_unauthorized',
      failureMessage: 'X-POS-Id must be the Remote App ID (RAID) of the app',
    });

    await client.graphql(`mutation($id: ID!) { updateCloverConnection(id: $id, input: { remoteAppId: null }) { remoteAppId } }`, { id: merchant.id });
    const refused = await client.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key('p'), amount: '2.00', terminal: true, invoiceId: 'I' } });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'raid_missing' });
  });
});
