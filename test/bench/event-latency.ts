/**
 * Event latency: an accepted webhook → its effect committed by a consumer, at a steady rate.
 *
 * Flows (support/latency-flows.ts), each on its service running as its own process (production
 * settings, PostgreSQL, NATS JetStream):
 * - prestashop: the module's webhook on commerce. The intake stores the event and, in the same
 *   transaction, `commerce.prestashop.batch_received` in the outbox; the relay publishes it; the
 *   `prestashop-processing` consumer applies the event (customer, order, payment…) and marks it
 *   processed in one transaction — the domain's real processing.
 * - clover: a Clover firehose webhook on payments (a payment of a merchant with no connection). The
 *   intake journals it with `payments.clover.webhook.received`; the `clover-webhook-processor`
 *   consumer claims it, finds nothing to fetch and records the outcome — the lightest real effect,
 *   so the figure is mostly the pipeline (outbox relay, JetStream, consumer) itself.
 * The effect's commit is heard, not polled: a trigger added for the benchmark NOTIFYs from the
 * transaction that records the effect, and PostgreSQL delivers a notification only when that
 * transaction commits, so the moment this process hears it is the commit (plus a local socket hop).
 *
 * Load: one webhook per request at `--rate` a second, open loop (sent on schedule whatever the
 * answers do), from a separate process; `--warmup` seconds first, left out of the figures.
 * Reference, in the same run: the bare transport — the kit's NATS bus publishing to JetStream and a
 * durable pull consumer receiving, at the same rate, no database.
 *
 *   pnpm exec tsx test/bench/event-latency.ts [--rate 1000] [--duration 10] [--warmup 3]
 *                                             [--flows prestashop,clover] [--json <file>]
 *
 * Target: p99 accepted → effect committed < 20 ms.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { createEvent, NatsEventBus } from '@switchboard/kit';
import { freePort, startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { fmt, JSON_OPTION, percentile, round, writeReport, type BenchRow, type BenchTarget } from './support/bench-report.js';
import { forkTs, removeOnExit, stopChild, TSX_LOADER } from './support/child-processes.js';
import { startNodeProcess, type NodeProcess } from './support/gateway-processes.js';
import { FLOWS, LATENCY_FLOWS, type FlowName, type LatencyFlow, type StageTimes } from './support/latency-flows.js';
import type { OpenLoopResult, OpenLoopSpec, Sample } from './support/open-loop-process.js';
import { productionSubgraphEnv } from './support/subgraph-env.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    flows: { type: 'string', default: FLOWS.join(',') },
    ...JSON_OPTION,
  },
});
const RATE = Number(values.rate);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const TARGET_P99_MS = 20;
/** How long to wait for the effects still outstanding when the sender is done. */
const DRAIN_TIMEOUT_MS = 60_000;
const TRANSPORT_SUBJECT = 'billing.bench.transport_probe';
const flows = values.flows.split(',').map((name) => name.trim()).filter(Boolean) as FlowName[];
for (const name of flows) if (!FLOWS.includes(name)) throw new Error(`--flows: unknown flow ${name} (known: ${FLOWS.join(', ')})`);

const now = () => performance.timeOrigin + performance.now();

interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** The kit's NATS bus alone: publish (JetStream ack awaited) → a durable pull consumer receives it. */
async function measureTransport(natsUrl: string): Promise<Distribution & { lost: number }> {
  const bus = await NatsEventBus.connect({ servers: natsUrl, name: 'latency-bench-transport', logger: pino({ level: 'silent' }) });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const warmup = Math.round(RATE * WARMUP);
  const total = warmup + Math.round(RATE * DURATION);
  let received = 0;
  let allReceived!: () => void;
  const finished = new Promise<void>((resolve) => (allReceived = resolve));
  const subscription = await bus.subscribe({ durable: 'latency-bench-transport', subjects: [TRANSPORT_SUBJECT] }, async (delivery) => {
    const at = now();
    const n = (delivery.event.data as { n: number }).n;
    const sent = sentAt.get(n);
    if (sent !== undefined && n >= warmup) latencies.push(at - sent);
    delivery.ack();
    if (++received >= total) allReceived();
  });
  try {
    const interval = 1000 / RATE;
    const start = now() + 20;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor((now() - start) / interval) + 1);
        for (; next < due; next++) {
          sentAt.set(next, now());
          void bus.publish(createEvent({ type: TRANSPORT_SUBJECT, source: 'latency-bench', data: { n: next } }));
        }
        if (next < total) setTimeout(tick, 1);
        else resolve();
      };
      setTimeout(tick, 20);
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS))]);
  } finally {
    await subscription.stop();
    await bus.close();
  }
  return { ...distribution(latencies), lost: total - received };
}

/** The flow's service as production runs it: its own process, its own main. */
async function startService(flow: LatencyFlow, databaseUrl: string, natsUrl: string, logDir: string): Promise<{ process: NodeProcess; url: string }> {
  const port = await freePort();
  const service = await startNodeProcess({
    name: `${flow.name}-${flow.service}`,
    script: new URL(`../../subgraphs/${flow.service}/src/main.ts`, import.meta.url).pathname,
    nodeArgs: ['--import', TSX_LOADER],
    env: { ...productionSubgraphEnv({ port, databaseUrl, natsUrl, signingSecret: 'bench-latency-signing-secret-0123456789' }), ...flow.env },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    logDir,
    startTimeoutMs: 120_000,
  });
  return { process: service, url: `http://127.0.0.1:${port}${flow.path}` };
}

interface FlowResult {
  flow: LatencyFlow;
  acceptedToEffect: Distribution;
  sentToEffect: Distribution;
  breakdown: { label: string; d: Distribution }[];
  accepted: number;
  notAccepted: number;
  noEffect: number;
  senderLateP99Ms: number;
  /** What the service sustained over the measured window: 2xx answers and committed effects per second. */
  acceptedPerSecond: number;
  effectsPerSecond: number;
}

let runs = 0;

/** Events per second between the first and the last of these moments. */
function rate(moments: number[]): number {
  if (moments.length < 2) return NaN;
  const sorted = [...moments].sort((a, b) => a - b);
  return ((sorted.length - 1) * 1000) / (sorted.at(-1)! - sorted[0]!);
}

async function measureFlow(flow: LatencyFlow, postgres: PostgresHandle, natsUrl: string, logDir: string): Promise<FlowResult> {
  const databaseUrl = await postgres.createDatabase(`latency_${flow.name}`);
  process.stdout.write(`${flow.name}: starting ${flow.service}… `);
  let service: NodeProcess | undefined;
  let listener: pg.Client | undefined;
  try {
    const started = await startService(flow, databaseUrl, natsUrl, logDir);
    service = started.process;
    listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    await listener.query(flow.trigger);
    const committedAt = new Map<string, number>();
    listener.on('notification', (message) => {
      if (message.channel === 'bench_effect' && message.payload) committedAt.set(message.payload, now());
    });
    await listener.query('listen bench_effect');

    process.stdout.write('preparing requests… ');
    const spec: OpenLoopSpec = { flow: flow.name, url: started.url, ratePerSecond: RATE, warmupSeconds: WARMUP, durationSeconds: DURATION, runId: ++runs };
    const sender = forkTs(new URL('./support/open-loop-process.ts', import.meta.url).pathname, [JSON.stringify(spec)]);
    const result = await new Promise<OpenLoopResult>((resolve, reject) => {
      sender.on('message', (message: { ready?: boolean } | OpenLoopResult) => {
        if ('ready' in message) process.stdout.write('sending… ');
        else resolve(message as OpenLoopResult);
      });
      sender.once('exit', (code) => reject(new Error(`sender exited (${code}) before reporting`)));
    });
    await stopChild(sender);
    const isAccepted = (s: Sample) => s[4] >= 200 && s[4] < 300 && s[0] !== '';
    const accepted = result.samples.filter(isAccepted);
    const drainStarted = Date.now();
    while (accepted.some((s) => !committedAt.has(s[0])) && Date.now() - drainStarted < DRAIN_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log('done');

    const measured = result.samples.slice(result.warmupEvents);
    const window = measured.filter(isAccepted);
    const done = window.filter((s) => committedAt.has(s[0]));
    const effect = (s: Sample) => committedAt.get(s[0])!;
    const stages = await flow.stages(listener, window.map((s) => s[0]));
    const stage = (f: (t: StageTimes, s: Sample) => number | undefined) =>
      distribution(done.flatMap((s) => {
        const t = stages.get(s[0]);
        const v = t ? f(t, s) : undefined;
        return v === undefined || !Number.isFinite(v) ? [] : [v];
      }));
    const gap = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : b - a);
    return {
      flow,
      acceptedToEffect: distribution(done.map((s) => effect(s) - s[3])),
      sentToEffect: distribution(done.map((s) => effect(s) - s[2])),
      breakdown: [
        { label: 'HTTP request → 2xx received (intake: parse, verify, store, commit)', d: distribution(window.map((s) => s[3] - s[2])) },
        { label: 'outbox row written → published (relay: pick up, publish, JetStream ack)', d: stage((t) => gap(t.outboxAt, t.publishedAt)) },
        { label: `published → ${flow.processingLabel} (JetStream → consumer)`, d: stage((t) => gap(t.publishedAt, t.processingAt)) },
        { label: `${flow.processingLabel} → effect committed`, d: stage((t, s) => gap(t.processingAt, effect(s))) },
      ],
      accepted: window.length,
      notAccepted: measured.length - window.length,
      noEffect: window.length - done.length,
      senderLateP99Ms: result.lateP99Ms,
      acceptedPerSecond: rate(window.map((s) => s[3])),
      effectsPerSecond: rate(done.map((s) => effect(s))),
    };
  } catch (error) {
    if (service) console.error(`\n${flow.service} log (tail):\n${service.logTail(20)}`);
    throw error;
  } finally {
    await listener?.end().catch(() => undefined);
    await service?.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'event-latency-bench-'));
  const removeDir = removeOnExit(dir);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  try {
    console.log(`Event latency — ${fmt(RATE)} events/s open loop for ${DURATION} s (+${WARMUP} s warm-up), PostgreSQL + NATS JetStream, ${cpus().length} cores, load average ${fmt(loadavg()[0]!, 1)}`);
    nats = await startNats();
    postgres = await startPostgres();

    process.stdout.write('bare transport (kit NATS bus: publish → durable consumer)… ');
    const transport = await measureTransport(nats.url);
    console.log(`p50 ${fmt(transport.p50, 1)} ms, p99 ${fmt(transport.p99, 1)} ms`);
    const results: FlowResult[] = [];
    for (const name of flows) results.push(await measureFlow(LATENCY_FLOWS[name], postgres, nats.url, logDir));

    const line = (label: string, d: Distribution) =>
      `${label.padEnd(80)}${fmt(d.p50, 1).padStart(10)}${fmt(d.p90, 1).padStart(10)}${fmt(d.p99, 1).padStart(10)}${fmt(d.max, 1).padStart(10)}${fmt(d.n).padStart(8)}`;
    console.log(`\n${''.padEnd(80)}${'p50'.padStart(10)}${'p90'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}${'n'.padStart(8)}   (ms)`);
    console.log(line('bare transport: publish → consumer receives', transport));
    const rows: BenchRow[] = [
      { label: 'bare NATS JetStream transport (publish → consumer)', p50Ms: round(transport.p50), p90Ms: round(transport.p90), p99Ms: round(transport.p99), maxMs: round(transport.max), n: transport.n, lost: transport.lost },
    ];
    const targets: BenchTarget[] = [];
    for (const r of results) {
      console.log(`\n${r.flow.title}`);
      console.log(line(`${r.flow.name}: webhook accepted (2xx) → effect committed`, r.acceptedToEffect));
      console.log(line(`${r.flow.name}: webhook sent → effect committed`, r.sentToEffect));
      console.log('  where the time goes (service clock, ms resolution):');
      for (const b of r.breakdown) console.log(line(`    ${b.label}`, b.d));
      console.log(
        `  ${fmt(r.accepted)} webhooks accepted in the measured window, ${fmt(r.notAccepted)} not accepted, ${fmt(r.noEffect)} without a committed effect after ${DRAIN_TIMEOUT_MS / 1000} s; ` +
          `sender lateness p99 ${fmt(r.senderLateP99Ms, 1)} ms (large = the sender was starved of CPU)`,
      );
      console.log(
        `  sustained: ${fmt(r.acceptedPerSecond)} webhooks/s answered, ${fmt(r.effectsPerSecond)} effects/s committed, for ${fmt(RATE)}/s offered` +
          `${r.effectsPerSecond < RATE * 0.95 ? ' — below the offered rate, so a queue grew for the whole run and the latencies above mostly measure it' : ''}`,
      );
      rows.push({
        label: `${r.flow.name}: webhook accepted → effect committed`,
        p50Ms: round(r.acceptedToEffect.p50),
        p90Ms: round(r.acceptedToEffect.p90),
        p99Ms: round(r.acceptedToEffect.p99),
        maxMs: round(r.acceptedToEffect.max),
        n: r.acceptedToEffect.n,
        ratePerSecond: RATE,
        notAccepted: r.notAccepted,
        noEffect: r.noEffect,
        acceptedPerSecond: round(r.acceptedPerSecond, 0),
        effectsPerSecond: round(r.effectsPerSecond, 0),
      });
      rows.push({ label: `${r.flow.name}: webhook sent → effect committed`, p50Ms: round(r.sentToEffect.p50), p99Ms: round(r.sentToEffect.p99), n: r.sentToEffect.n });
      rows.push(...r.breakdown.map((b) => ({ label: `${r.flow.name} stage: ${b.label}`, p50Ms: round(b.d.p50), p99Ms: round(b.d.p99), n: b.d.n })));
      targets.push({
        label: `${r.flow.name}: webhook accepted → effect committed p99 < ${TARGET_P99_MS} ms at ${fmt(RATE)} events/s`,
        met: r.acceptedToEffect.p99 < TARGET_P99_MS && r.noEffect === 0 && r.notAccepted === 0,
        detail:
          `p99 ${fmt(r.acceptedToEffect.p99, 1)} ms, p50 ${fmt(r.acceptedToEffect.p50, 1)} ms, ${fmt(r.effectsPerSecond)} effects/s sustained (bare transport p99 ${fmt(transport.p99, 1)} ms)` +
          `${r.notAccepted ? `; ${fmt(r.notAccepted)} not accepted` : ''}${r.noEffect ? `; ${fmt(r.noEffect)} without effect` : ''}`,
      });
    }
    console.log(`\ntransport: ${fmt(transport.lost)} messages not received; load average ${fmt(loadavg()[0]!, 1)}\n`);
    for (const target of targets) console.log(`${target.met ? 'met   ' : 'MISSED'}  ${target.label}: ${target.detail}`);
    writeReport(values.json, { name: 'event-latency', rows, targets });
  } finally {
    await nats?.stop();
    await postgres?.stop();
    removeDir();
  }
}

await main();
