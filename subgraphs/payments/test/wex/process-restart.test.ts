import { spawn, type ChildProcess } from 'node:child_process';
import { Delivery, OutboxEvent, type Database } from '@switchboard/kit';
import { eventually, freePort, startOdooWebhookReceiver, startWexEmulator, type OdooWebhookReceiver, type WexEmulator } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WexVirtualCard } from '../../src/wex/virtual-card.js';
import { AUTH_TOKEN, odooRequest, openForInspection, post, rawDump, sleep, WexTestbed, type DbKind } from './support.js';

/**
 * The payments service as a real child process (the production entry point, `main.ts`), killed
 * with SIGKILL in the middle of a retry sequence and started again on the same database and NATS.
 */
const root = new URL('../../../../', import.meta.url).pathname;
const tsxLoader = new URL('node_modules/tsx/dist/loader.mjs', new URL('../../../../', import.meta.url)).href;

interface Child {
  process: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output(): string;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', tsxLoader, `${root}subgraphs/payments/src/main.ts`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, TSX_TSCONFIG_PATH: `${root}tsconfig.base.json`, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => (child.exitCode !== null ? 'exited' : await fetch(`${url}/readyz`).then((r) => r.status, () => 0)),
    (status) => status === 200 || status === 'exited',
    { timeoutMs: 45_000, intervalMs: 100 },
  );
  if (child.exitCode !== null) throw new Error(`payments exited during start-up:\n${output}`);
  return { process: child, url, exited, output: () => output };
}

describe.each<DbKind>(['postgres', 'sqlite'])('payments process killed mid-retry (NATS + %s)', (dbKind) => {
  const testbed = new WexTestbed();
  let wex: WexEmulator;
  let odoo: OdooWebhookReceiver;
  let env: Record<string, string>;
  let inspect: Database;
  const children: Child[] = [];

  beforeAll(async () => {
    wex = await startWexEmulator();
    odoo = await startOdooWebhookReceiver({ authToken: AUTH_TOKEN });
    const databaseUrl = await testbed.databaseUrl(dbKind);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: databaseUrl,
      NATS_URL: await testbed.natsUrl(),
      GATEWAY_SIGNING_SECRET: 'restart-test-signing-secret-0123',
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      AUTH_TOKEN,
      WEBHOOK_URL: odoo.url,
      WEX_API_URL: wex.url,
      WEX_USERNAME: wex.username,
      WEX_PASSWORD: wex.password,
      WEX_CARD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      WEX_CARD_ENCRYPTION_KEY_ID: 'test-2025',
      // Recovery sweeps every min(WEX timeout + 10 s, 30 s): here every 15 s.
      WEX_TIMEOUT_SECONDS: '5',
      MAX_DOWNSTREAM: '5',
      // Long enough that no attempt falls due in the second after the kill: nats-server may still
      // hand a redelivery to the dead process's pull request then, and it would wait out the
      // 90 s ack wait (the sequence still continues, only later).
      ACK_TIMEOUT_SECONDS: '2',
      DOWNSTREAM_RETRY_BASE_SECONDS: '0.3',
      DOWNSTREAM_POST_TIMEOUT_SECONDS: '2',
    };
  });
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await inspect?.close();
    await odoo.stop();
    await wex.stop();
    await testbed.stop();
  });

  it('continues every retry sequence after a SIGKILL and a restart; nothing lost, nothing issued twice', async () => {
    const first = await startChild(env);
    children.push(first);
    odoo.setAckUrl(`${first.url}/ack`);
    inspect = await openForInspection(env.DATABASE_URL!);
    const delivery = async (paymentId: string) => {
      const em = inspect.em();
      const card = await em.findOneOrFail(WexVirtualCard, { odooPaymentId: paymentId });
      return em.findOneOrFail(Delivery, { id: card.deliveryId! });
    };
    const attemptsSeen = (paymentId: string) => odoo.deliveries.filter((d) => d.body?.payment_id === paymentId).map((d) => d.body._delivery_attempt);

    // A: Odoo ACKs from attempt 4 on. B: Odoo never ACKs.
    const A = `KILL-A-${dbKind}`;
    const B = `KILL-B-${dbKind}`;
    odoo.autoAck({ fromAttempt: 4, only: (body) => body.payment_id !== B });
    const accepted = await post(`${first.url}/proxy`, odooRequest(A), { 'x-proxy-auth-token': AUTH_TOKEN });
    expect(accepted.status).toBe(200);
    expect((await post(`${first.url}/proxy`, odooRequest(B), { 'x-proxy-auth-token': AUTH_TOKEN })).status).toBe(200);
    // Attempt 2 of both made, recorded and re-scheduled on NATS (the worker re-schedules just after
    // recording; the next attempt is 2.6 s away): the process is between attempts, waiting for ACKs.
    await eventually(
      async () => [await delivery(A), await delivery(B)],
      (rows) => rows.every((d) => d.attempts === 2 && d.status === 'awaiting_ack'),
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    await sleep(250);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe(null); // killed, not exited
    const seenAtKill = { A: attemptsSeen(A), B: attemptsSeen(B) };
    expect(seenAtKill.A).toEqual([1, 2]);

    const second = await startChild(env);
    children.push(second);
    odoo.setAckUrl(`${second.url}/ack`);
    // A wake-up stranded with the dead process is re-requested by the recovery sweep (overdue 15 s,
    // sweep every 15 s); the bus's own ack wait (90 s) is the upper bound.
    await eventually(() => delivery(A), (d) => d.status === 'acknowledged', { timeoutMs: 110_000 });
    await eventually(() => delivery(B), (d) => d.status === 'exhausted', { timeoutMs: 110_000 });

    // The sequences went on where they stopped: no attempt lost, none repeated.
    expect(attemptsSeen(A)).toEqual([1, 2, 3, 4]);
    expect(attemptsSeen(B)).toEqual([1, 2, 3, 4, 5]);
    for (const id of [A, B]) {
      const ids = new Set(odoo.deliveries.filter((d) => d.body?.payment_id === id).map((d) => d.body._delivery_id));
      expect(ids.size, `${id} has one _delivery_id`).toBe(1);
      expect(odoo.processed().filter((d) => d.body.payment_id === id)).toHaveLength(1);
    }
    expect(odoo.deliveries.filter((d) => d.body?.payment_id === A).every((d) => d.body.card_number === accepted.body.card_number)).toBe(true);
    // One card per request, one exhaustion report for B.
    expect(wex.cards).toHaveLength(2);
    const exhausted = (await inspect.em().find(OutboxEvent, { type: 'payments.delivery.exhausted' })).map((e) => JSON.parse(e.envelope).data);
    expect(exhausted).toEqual([expect.objectContaining({ deliveryId: (await delivery(B)).id, attempts: 5 })]);
    // The same request again after the restart: the first answer, no new card.
    const replay = await post(`${second.url}/proxy`, odooRequest(A), { 'x-proxy-auth-token': AUTH_TOKEN });
    expect(replay.status).toBe(200);
    expect(replay.body.card_number).toBe(wex.cards[0]!.number);
    expect(wex.cards).toHaveLength(2);

    // Sealed with the configured key; no card number anywhere in the database.
    const dump = await rawDump(inspect);
    for (const card of wex.cards) for (const rows of Object.values(dump)) for (const row of rows) expect(row).not.toContain(card.number);
    expect((await inspect.em().find(WexVirtualCard, {})).map((c) => c.cardKeyId)).toEqual(['test-2025', 'test-2025']);

    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);
});
