// Load generator of billing-usage-ingest.ts, run in a worker thread (plain JS: no loader needed).
// An app pushing hourly CPU counters like NexaCloud's, spread over every subscription.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

function post(agent, url, key, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const job = workerData;
const start = Date.now() - 3_600_000;
const warmup = 5;
const bodies = [];
for (let b = 0; b < Math.ceil(job.records / job.batch) + warmup; b++) {
  const usage = Array.from({ length: job.batch }, (_, i) => {
    const n = b * job.batch + i;
    return {
      subscription_id: `s-${n % job.subscriptions}`,
      metric: 'cpu_seconds',
      quantity: '8.5',
      timestamp: new Date(start + (n % 3_000_000)).toISOString(),
      idempotency_key: `bench:${b}:${i}`,
    };
  });
  bodies.push(JSON.stringify({ usage }));
}
const url = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
for (const body of bodies.slice(0, warmup)) await post(agent, url, job.key, body);
const timed = bodies.slice(warmup);
const latencies = [];
let next = 0;
let accepted = 0;
const began = performance.now();
await Promise.all(
  Array.from({ length: job.concurrency }, async () => {
    while (next < timed.length) {
      const body = timed[next++];
      const t = performance.now();
      const response = await post(agent, url, job.key, body);
      latencies.push(performance.now() - t);
      if (response.status !== 202) throw new Error(`POST /usage → ${response.status}: ${response.text.slice(0, 300)}`);
      accepted += JSON.parse(response.text).accepted;
    }
  }),
);
const seconds = (performance.now() - began) / 1000;
agent.destroy();
parentPort.postMessage({ accepted, seconds, latencies });
