/**
 * Open-loop sender of test/bench/event-latency.ts, in its own process: webhooks posted on a fixed
 * schedule (`rate` a second) whatever the answers do — a slow answer does not delay the next
 * request, so queueing shows up in the latencies instead of quietly lowering the rate (closed-loop
 * load would hide it). Every request is distinct and built before the clock starts:
 * - prestashop: a module batch of one event from the simulated shop (key: the event id);
 * - clover: a firehose webhook about one payment, signed with the app secret (key: the stored
 *   webhook's id, from the 2xx answer).
 *
 * Input: one JSON argument (OpenLoopSpec). Output over IPC: `{ ready: true }` once the requests are
 * built, then OpenLoopResult. Times are epoch milliseconds with sub-millisecond precision
 * (performance.timeOrigin + performance.now()), comparable with the parent's.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { CLOVER_LATENCY_APP_SECRET, PRESTASHOP_LATENCY_SECRET, type FlowName } from './latency-flows.js';
import { batchRequest, checkEncoder, encodeLikePhp, simulatedEvents } from './prestashop-events.js';

export interface OpenLoopSpec {
  flow: FlowName;
  url: string;
  ratePerSecond: number;
  /** Sent first, at the same rate; the parent leaves them out of the figures. */
  warmupSeconds: number;
  durationSeconds: number;
  /** Makes ids unique across runs against the same database. */
  runId: number;
}

/** One request: [key, scheduled, sent, answered, status] (status 0 = no answer, a network error). */
export type Sample = [key: string, scheduledAt: number, sentAt: number, answeredAt: number, status: number];

export interface OpenLoopResult {
  samples: Sample[];
  /** How late the sender itself was against its schedule (p99, ms): large means the sender was starved. */
  lateP99Ms: number;
  warmupEvents: number;
}

interface Prepared {
  body: string;
  headers: Record<string, string>;
  /** The key known before sending (PrestaShop's event id); otherwise read from the answer. */
  key?: string;
}

const spec = JSON.parse(process.argv[2]!) as OpenLoopSpec;
const now = () => performance.timeOrigin + performance.now();

const warmupEvents = Math.round(spec.ratePerSecond * spec.warmupSeconds);
const total = warmupEvents + Math.round(spec.ratePerSecond * spec.durationSeconds);

function prestashopRequests(): Prepared[] {
  const first = spec.runId * 10_000_000 + 1;
  const events = simulatedEvents(total, { seed: 77 + spec.runId, firstEventId: first, idBase: first });
  checkEncoder(events.slice(0, 100));
  return events.map((event) => ({ ...batchRequest([encodeLikePhp(event)], [event.event_id], PRESTASHOP_LATENCY_SECRET), key: String(event.event_id) }));
}

function cloverRequests(): Prepared[] {
  const prefix = `${spec.runId.toString(36)}${Date.now().toString(36)}`.toUpperCase();
  return Array.from({ length: total }, (_, n) => {
    const id = `${prefix}${n.toString(36).toUpperCase()}`.slice(-13).padStart(13, '0');
    const body = `{"appId":"BENCHAPP00001","merchants":{"BENCHMERCHANT":[{"objectId":"P:BENCHMERCHANT/${id}","type":"UPDATE","ts":${Date.now()}}]}}`;
    return { body, headers: { 'content-type': 'application/json', 'x-clover-auth-code': createHmac('sha256', CLOVER_LATENCY_APP_SECRET).update(body).digest('hex') } };
  });
}

const prepared = spec.flow === 'prestashop' ? prestashopRequests() : cloverRequests();
process.send!({ ready: true });

const url = new URL(spec.url);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const samples: Sample[] = prepared.map((p) => [p.key ?? '', 0, 0, 0, 0]);
let answered = 0;

function send(index: number, scheduledAt: number): void {
  const sample = samples[index]!;
  const { body, headers } = prepared[index]!;
  sample[1] = scheduledAt;
  sample[2] = now();
  const finish = (status: number, text: string) => {
    sample[3] = now();
    sample[4] = status;
    if (!sample[0] && status >= 200 && status < 300) {
      try {
        sample[0] = String((JSON.parse(text) as { id?: unknown }).id ?? '');
      } catch {
        /* no key: the parent counts it as without effect */
      }
    }
    if (++answered === total) done();
  };
  const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => finish(0, ''));
  });
  req.on('error', () => finish(0, ''));
  req.end(body);
}

const interval = 1000 / spec.ratePerSecond;
const start = now() + 20;
let next = 0;
function tick(): void {
  const due = Math.min(total, Math.floor((now() - start) / interval) + 1);
  while (next < due) {
    send(next, start + next * interval);
    next++;
  }
  if (next < total) setTimeout(tick, 1);
}

function done(): void {
  agent.destroy();
  const late = samples.map((s) => s[2] - s[1]).sort((a, b) => a - b);
  const result: OpenLoopResult = { samples, lateP99Ms: late[Math.floor(late.length * 0.99)] ?? 0, warmupEvents };
  process.send!(result, () => process.exit(0));
}

setTimeout(tick, Math.max(0, start - now()));
