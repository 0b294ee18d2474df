import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloverConnection } from '../../src/clover/index.js';
import { CARDS, CloverTestEnvironment, COLLECT, CONNECTION_FIELDS, connected, createConnection, key, type CloverTestService, type DbKind } from './support.js';

const CREATE = `mutation($input: CreateCloverConnectionInput!) { createCloverConnection(input: $input) { ${CONNECTION_FIELDS} } }`;
const TEST = `mutation($id: ID!) { testCloverConnection(id: $id) { ok merchantName message } }`;

/** Connections: validation, secrets at rest and key rotation, and the auth precedence of outgoing calls. */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover connections on %s', (db) => {
  const env = new CloverTestEnvironment({ bus: 'in-process' });
  let databaseUrl: string;
  let client: CloverTestService;

  beforeAll(async () => {
    await env.start();
    databaseUrl = await env.databaseUrl(db);
    client = await env.service(databaseUrl);
  });
  afterAll(() => env.stop());

  const bearerOf = (path: string | RegExp) => env.emulator.control.requests({ path }).at(-1)?.headers['authorization']?.replace('Bearer ', '');

  it.each([
    [{ environment: 'staging' }, 'environment'],
    [{ appId: 'not an id!' }, 'appId'],
    [{ appSecret: '  ' }, 'appSecret'],
    [{ remoteAppId: 'no-dot-here' }, 'remoteAppId'],
    [{ currency: 'EUR' }, 'currency'],
    [{ label: '' }, 'label'],
  ])('bad input %j is refused naming %s', async (bad, field) => {
    const result = await client.graphql(CREATE, { input: { label: 'x', environment: 'sandbox', appId: 'APP1', appSecret: 's', ...bad } });
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('one connection per merchant and environment', async () => {
    const merchant = env.emulator.control.createMerchant();
    await createConnection(client, env.emulator, { merchantId: merchant.id });
    const again = await client.graphql(CREATE, { input: { label: 'dup', environment: 'sandbox', appId: env.emulator.app.id, appSecret: 's', merchantId: merchant.id } });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'duplicate_connection' });
  });

  it('secrets never come back out: not in GraphQL, not in the table', async () => {
    const merchant = env.emulator.control.createMerchant();
    const id = await createConnection(client, env.emulator, { merchantId: merchant.id, restApiToken: merchant.restApiToken, ecommercePrivateKey: merchant.ecommercePrivateKey });
    const listed = await client.graphql(`{ cloverConnections { ${CONNECTION_FIELDS} remoteAppId appId } }`);
    const text = JSON.stringify(listed.body);
    for (const secret of [env.emulator.app.secret, merchant.restApiToken, merchant.ecommercePrivateKey]) expect(text).not.toContain(secret);
    expect(listed.body.data.cloverConnections.find((c: any) => c.id === id)).toMatchObject({ hasRestApiToken: true, hasEcommercePrivateKey: true, oauthConnected: false });
    const row = JSON.stringify(await client.service.deps.db.em().findOneOrFail(CloverConnection, { id }));
    for (const secret of [env.emulator.app.secret, merchant.restApiToken, merchant.ecommercePrivateKey]) expect(row).not.toContain(secret);
  });

  it('auth precedence: the OAuth token first, even when other credentials exist', async () => {
    const { id, merchant } = await connected(client, env.emulator);
    await client.graphql(`mutation($id: ID!, $input: UpdateCloverConnectionInput!) { updateCloverConnection(id: $id, input: $input) { id } }`, {
      id,
      input: { restApiToken: merchant.restApiToken, ecommercePrivateKey: merchant.ecommercePrivateKey },
    });
    await client.graphql(TEST, { id });
    expect(env.emulator.state.accessTokens.has(bearerOf(`/v3/merchants/${merchant.id}`)!)).toBe(true);
  });

  it('auth precedence: without OAuth, the REST API token serves the Platform API', async () => {
    const merchant = env.emulator.control.createMerchant({ name: 'REST token merchant' });
    env.emulator.control.addDevice(merchant.id);
    const id = await createConnection(client, env.emulator, { merchantId: merchant.id, restApiToken: merchant.restApiToken });
    expect((await client.graphql(TEST, { id })).body.data.testCloverConnection).toMatchObject({ ok: true, merchantName: 'REST token merchant' });
    expect(bearerOf(`/v3/merchants/${merchant.id}`)).toBe(merchant.restApiToken);
    const synced = await client.graphql(`mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { serial } }`, { id });
    expect(synced.body.data.syncCloverTerminals).toHaveLength(1);
  });

  it('auth precedence: with only the ecommerce private key, charges and the merchant lookup work; the device list does not', async () => {
    const merchant = env.emulator.control.createMerchant({ name: 'Key-only' });
    const id = await createConnection(client, env.emulator, { merchantId: merchant.id, ecommercePrivateKey: merchant.ecommercePrivateKey });
    expect((await client.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    expect(bearerOf(`/v3/merchants/${merchant.id}`)).toBe(merchant.ecommercePrivateKey);

    const paid = await client.graphql(COLLECT, { input: { connectionId: id, idempotencyKey: key('pk'), amount: '3.00', card: CARDS.visa, invoiceId: 'INV-PK' } });
    expect(paid.body.data.collectPayment.status).toBe('succeeded');
    expect(bearerOf('/v1/charges')).toBe(merchant.ecommercePrivateKey);

    env.emulator.control.reset();
    const sync = await client.graphql(`mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { serial } }`, { id });
    expect(sync.body.errors?.[0]?.extensions?.code).toBe('CLOVER_NOT_CONNECTED');
    expect(env.emulator.control.requests()).toHaveLength(0);
    // As Clover would have answered:
    const direct = await fetch(`${env.emulator.url}/v3/merchants/${merchant.id}/devices`, { headers: { authorization: `Bearer ${merchant.ecommercePrivateKey}` } });
    expect(direct.status).toBe(401);
  });

  it('the PAKMS key is fetched from the ecommerce host, never the platform host (which answers 404)', async () => {
    const merchant = env.emulator.control.createMerchant();
    const onPlatform = await fetch(`${env.emulator.url}/pakms/apikey`, { headers: { authorization: `Bearer ${merchant.ecommercePrivateKey}` } });
    expect(onPlatform.status).toBe(404);
    // And the tokenize endpoint wants the header named `apikey`, not `apiAccessKey`.
    const pakms = (await (await fetch(`${env.emulator.urls.ecommerce}/pakms/apikey`, { headers: { authorization: `Bearer ${merchant.ecommercePrivateKey}` } })).json()) as { apiAccessKey: string };
    const wrongHeader = await fetch(`${env.emulator.urls.token}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apiAccessKey: pakms.apiAccessKey },
      body: JSON.stringify({ card: { number: CARDS.visa.number, exp_month: '12', exp_year: '2030', cvv: '123', brand: 'VISA' } }),
    });
    expect(wrongHeader.status).toBe(401);
    const wrongBrand = await fetch(`${env.emulator.urls.token}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: pakms.apiAccessKey },
      body: JSON.stringify({ card: { number: CARDS.visa.number, exp_month: '12', exp_year: '2030', cvv: '123', brand: 'CARD' } }),
    });
    expect(wrongBrand.status).toBe(400);
  });

  it('key rotation: a service with a new key and the old one as previous reads old secrets and re-seals them', async () => {
    const { id } = await connected(client, env.emulator);
    const newKey = randomBytes(32).toString('base64');
    const rotated = await env.service(databaseUrl, {
      CLOVER_TOKEN_ENCRYPTION_KEY: newKey,
      CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'test2',
      CLOVER_TOKEN_ENCRYPTION_PREVIOUS_KEYS: `test1:${env.encryptionKey}`,
    });
    expect((await rotated.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    const count = await rotated.graphql(`mutation { rotateCloverSecrets }`);
    expect(count.body.data.rotateCloverSecrets).toBeGreaterThanOrEqual(1);
    const row = await rotated.service.deps.db.em().findOneOrFail(CloverConnection, { id });
    expect(row.secretsKeyId).toBe('test2');
    expect(row.appSecretSealed).toMatch(/^v1\.test2\./);
    expect(row.accessTokenSealed).toMatch(/^v1\.test2\./);

    // Only the new key now: everything still opens.
    const onlyNew = await env.service(databaseUrl, { CLOVER_TOKEN_ENCRYPTION_KEY: newKey, CLOVER_TOKEN_ENCRYPTION_KEY_ID: 'test2' });
    expect((await onlyNew.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
  });
});
