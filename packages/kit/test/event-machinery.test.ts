import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSubgraphService,
  DeadLetter,
  OutboxEvent,
  ProcessedEvent,
  type EventBus,
  type SubgraphService,
} from '../src/index.js';
import { TestInfrastructure, quietLogger, type BusKind, type DbKind } from './support/environments.js';
import { eventually } from '@switchboard/testkit';
import { signedGraphql, SIGNING_SECRET } from './support/graphql.js';
import { probeDefinition, probeHandler, ProbeEffect, type ProbeControl } from './support/probe-service.js';

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'sqlite'],
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
  ['in-process', 'postgres'],
];

describe.each(MATRIX)('event machinery on %s bus with %s', (busKind, dbKind) => {
  const infra = new TestInfrastructure();
  let bus: EventBus;
  const running: SubgraphService[] = [];

  beforeAll(async () => {
    bus = await infra.bus(busKind);
  });
  // Services of different tests share one bus but not one database: never leave one running.
  afterEach(async () => {
    for (const service of running.splice(0)) await service.stop().catch(() => undefined);
  });
  afterAll(async () => {
    await infra.stop();
  });

  async function service(control: ProbeControl, url: string, handlerOptions = {}) {
    const created = await createSubgraphService(probeDefinition(control, handlerOptions), {
      bus,
      logger: quietLogger,
      env: { DATABASE_URL: url, GATEWAY_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', HOST: '127.0.0.1' },
    });
    running.push(created);
    return created;
  }

  const effects = (s: SubgraphService) => s.deps.db.em().count(ProbeEffect, {});

  it('loses nothing when the process dies between commit and publish, and applies once', async () => {
    const control: ProbeControl = { failing: false, attempts: [] };
    const url = await infra.databaseUrl(dbKind);

    // First process: commits the state change + outbox row, then dies before the relay runs.
    const crashed = await service(control, url);
    const eventId = await crashed.deps.transaction(async ({ events }) => events.emit('billing.probe.requested', { note: 'crash' }).id);
    await crashed.deps.db.close();
    running.splice(running.indexOf(crashed), 1);
    expect(control.attempts).toHaveLength(0);

    // Restart: the relay finds the unpublished row, the consumer applies it.
    const restarted = await service(control, url);
    await restarted.start();
    await eventually(() => effects(restarted), (n) => n === 1);
    const row = await restarted.deps.db.em().findOneOrFail(OutboxEvent, { id: eventId });
    expect(row.publishedAt).toBeInstanceOf(Date);

    // A crash after publishing but before marking re-publishes the same event: still one effect.
    row.publishedAt = null;
    await restarted.deps.db.em().upsert(OutboxEvent, row);
    expect(await restarted.deps.relay.flush()).toBe(1);

    // A redelivery that slips past the bus's de-duplication is absorbed by the consumer.
    const envelope = JSON.parse(row.envelope);
    const handler = probeHandler(control);
    const outcomes = await Promise.allSettled([
      restarted.deps.consumers.apply(handler, envelope, 2),
      restarted.deps.consumers.apply(handler, envelope, 3),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'applied')).toHaveLength(0);

    await new Promise((r) => setTimeout(r, 300));
    expect(await effects(restarted)).toBe(1);
    expect(await restarted.deps.db.em().count(ProcessedEvent, { eventId })).toBe(1);
    await restarted.stop();
  });

  it('retries a failing handler with growing delays, then dead-letters it; a replay applies it once', async () => {
    const control: ProbeControl = { failing: true, attempts: [] };
    const probe = await service(control, await infra.databaseUrl(dbKind));
    await probe.start();

    const emitted = await signedGraphql(probe.app, 'mutation { probeEmit(note: "boom") }', {}, ['ops']);
    expect(emitted.body.errors).toBeUndefined();
    const eventId: string = emitted.body.data.probeEmit;

    const letters = await eventually(
      () => probe.deps.db.em().find(DeadLetter, { eventId }),
      (rows) => rows.length === 1,
    );
    const attempts = control.attempts.filter((a) => a.eventId === eventId);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    // Each retry waits at least its step of the growing schedule (100, 300, 900 ms); a loaded
    // machine can only make the gaps longer.
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    [100, 300, 900].forEach((minimum, i) => expect(gaps[i]).toBeGreaterThanOrEqual(minimum - 15));
    expect(await effects(probe)).toBe(0); // each failed attempt rolled back
    expect(letters[0]!.attempts).toBe(4);

    // Announced on billing.deadletter through the outbox.
    const announcements = await probe.deps.db.em().find(OutboxEvent, { type: 'billing.deadletter' });
    expect(announcements.map((a) => JSON.parse(a.envelope).data.eventId)).toContain(eventId);

    const listed = await signedGraphql(probe.app, '{ billingDeadLetters(status: "dead") { id status attempts error eventType eventId } }', {}, ['ops']);
    expect(listed.body.data.billingDeadLetters).toEqual([
      expect.objectContaining({ status: 'dead', attempts: 4, error: 'probe cause not fixed yet', eventType: 'billing.probe.requested', eventId }),
    ]);
    const id = listed.body.data.billingDeadLetters[0].id;

    // Support staff may not replay.
    const forbidden = await signedGraphql(probe.app, 'mutation($id: ID!) { replayBillingDeadLetter(id: $id) { status } }', { id }, ['support']);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Replay while still broken: reported, still dead.
    const stillBroken = await signedGraphql(probe.app, 'mutation($id: ID!) { replayBillingDeadLetter(id: $id) { status } }', { id }, ['ops']);
    expect(stillBroken.body.errors?.[0]?.message).toMatch(/replay failed: probe cause not fixed yet/);

    control.failing = false;
    const replay = 'mutation($id: ID!) { replayBillingDeadLetter(id: $id) { status replayedAt attempts } }';
    const replayed = await signedGraphql(probe.app, replay, { id }, ['ops']);
    expect(replayed.body.data.replayBillingDeadLetter.status).toBe('replayed');
    const again = await signedGraphql(probe.app, replay, { id }, ['ops']);
    expect(again.body.data.replayBillingDeadLetter.status).toBe('replayed');
    expect(await effects(probe)).toBe(1);
    await probe.stop();
  });

  it('refuses GraphQL requests that do not carry a valid gateway signature', async () => {
    const probe = await service({ failing: false, attempts: [] }, await infra.databaseUrl(dbKind));
    const unsigned = await probe.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ probeEffects }' } });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().errors[0].message).toBe('missing gateway identity signature');

    const forged = await probe.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'x-switchboard-identity': `${Buffer.from('{"sub":"x","roles":["admin"],"iat":1}').toString('base64url')}.forged` },
      payload: { query: '{ probeEffects }' },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().errors[0].message).toBe('invalid gateway identity signature');

    const signed = await signedGraphql(probe.app, '{ probeEffects }');
    expect(signed.status).toBe(200);
    expect(signed.body.data.probeEffects).toBe(0);

    const ready = await probe.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', bus: 'ok' } });
    await probe.stop();
  });
});
