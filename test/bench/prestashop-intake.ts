/**
 * PrestaShop intake benchmark: 10,000 module events in batches of 50, posted to the commerce
 * subgraph's webhook exactly as the module sends them (PHP-encoded JSON, secret, batch id).
 *
 *   pnpm exec tsx test/bench/prestashop-intake.ts [--db sqlite|postgres] [--bus in-process|nats]
 *                                                 [--events 10000] [--batch 50] [--senders 4] [--json <file>]
 *
 * Prints the acceptance rate (requests and events per second until every batch got its 2xx)
 * and the end-to-end time (first request until every event is processed), next to the
 * module README's reference figure of 100–200 ms per 10 events.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { moduleBatches, phpJsonEncode, PrestashopShop } from '@switchboard/testkit';
import { JSON_OPTION, round, writeReport } from './support/bench-report.js';
import { CommerceBench } from './support/commerce-bench.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    bus: { type: 'string', default: 'in-process' },
    events: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '50' },
    senders: { type: 'string', default: '4' },
    ...JSON_OPTION,
  },
});
/** Two orders of magnitude better than the module README's 100–200 ms per 10 events. */
const TARGET_MS_PER_10_EVENTS = 2;
const EVENTS = Number(args.events);
const BATCH = Number(args.batch);
const SENDERS = Number(args.senders);
const SECRET = 'bench-prestashop-webhook-secret';

const bench = new CommerceBench('prestashop', { db: args.db, bus: args.bus });

async function main(): Promise<void> {
  process.stdout.write(`generating ${EVENTS} events… `);
  const shop = new PrestashopShop({ seed: 2025 });
  const events = shop.simulate(EVENTS, { linesPerOrder: [1, 8] }).slice(0, EVENTS);
  const batches = moduleBatches(events, BATCH, new Date(Date.UTC(2025, 10, 15, 12, 0, 0)));
  const bodies = batches.map((batch) => phpJsonEncode(batch));
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  const kinds = countBy(events.map((e) => `${e.entity_type}/${e.action_type}`));
  const lines = events.filter((e) => e.entity_type === 'order').reduce((sum, e) => sum + ((e.after_data?.order_details as unknown[]) ?? []).length, 0);
  console.log(`done: ${batches.length} batches, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${lines} order lines in order snapshots`);
  console.log(`  mix: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);

  const commerce = await bench.startService({ PRESTASHOP_WEBHOOK_SECRET: SECRET });
  const { service } = commerce;
  const url = `${service.url()}/prestashop/webhook`;
  const sql = async (query: string) => (await service.deps.db.em().getConnection().execute(query)) as any[];

  const latencies: number[] = [];
  let next = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const t0 = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, 'x-batch-id': batches[i]!.batch_id },
          body: bodies[i],
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`batch ${i} answered ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const accepted = performance.now() - started;

  let pending = Infinity;
  while (pending > 0) {
    pending = Number((await sql("select count(*) as n from prestashop_event where status = 'pending'"))[0].n);
    if (pending > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const processed = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const [load1] = loadavg();

  const statuses = Object.fromEntries((await sql('select status, count(*) as n from prestashop_event group by status')).map((r) => [r.status, Number(r.n)]));
  const orders = Number((await sql('select count(*) as n from shop_order'))[0].n);
  const orderLines = Number((await sql('select count(*) as n from order_line'))[0].n);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);

  console.log('');
  console.log(`PrestaShop intake — ${EVENTS} events in ${batches.length} batches of ${BATCH}, ${SENDERS} concurrent senders, ${args.db} + ${args.bus} bus`);
  console.log(`  acceptance (2xx = stored durably): ${(accepted / 1000).toFixed(2)} s — ${(batches.length / (accepted / 1000)).toFixed(1)} req/s, ${Math.round(EVENTS / (accepted / 1000))} events/s; latency p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`);
  console.log(`  end-to-end (first request → all processed): ${(processed / 1000).toFixed(2)} s — ${Math.round(EVENTS / (processed / 1000))} events/s, ${((processed / EVENTS) * 10).toFixed(2)} ms per 10 events (module README: 100–200 ms per 10 events)`);
  console.log(`  CPU time of this process (service and senders together): ${(cpuMs / 1000).toFixed(2)} s — ${((cpuMs / EVENTS) * 10).toFixed(2)} ms per 10 events; machine load average ${load1!.toFixed(1)} on ${cpus().length} cores`);
  console.log(`  outcome: ${Object.entries(statuses).map(([s, n]) => `${s} ${n}`).join(', ')}; ${orders} orders, ${orderLines} order lines`);

  const msPer10 = (processed / EVENTS) * 10;
  writeReport(args.json, {
    name: 'prestashop-intake',
    rows: [
      {
        label: `${EVENTS} events in batches of ${BATCH}, ${args.db} + ${args.bus} bus`,
        acceptedSeconds: round(accepted / 1000, 2),
        requestsPerSecond: round(batches.length / (accepted / 1000)),
        eventsPerSecondAccepted: round(EVENTS / (accepted / 1000), 0),
        endToEndSeconds: round(processed / 1000, 2),
        msPer10EventsEndToEnd: round(msPer10, 2),
        cpuMsPer10Events: round((cpuMs / EVENTS) * 10, 2),
        requestP50Ms: Number(pct(50)),
        requestP95Ms: Number(pct(95)),
      },
    ],
    targets: [
      {
        label: `end to end ≤ ${TARGET_MS_PER_10_EVENTS} ms per 10 events (module README: 100–200 ms; aim: two orders of magnitude better)`,
        met: msPer10 <= TARGET_MS_PER_10_EVENTS && (statuses.pending ?? 0) === 0,
        detail: `${msPer10.toFixed(2)} ms per 10 events end to end (${Math.round(EVENTS / (processed / 1000))} events/s; ${args.db} + ${args.bus} bus)`,
      },
    ],
  });

  await commerce.stop();
}

function countBy(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

try {
  await main();
} finally {
  await bench.stop();
}
