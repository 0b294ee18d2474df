/**
 * The load generator of test/bench/clover-webhook-intake.ts, run in its own process so that it
 * does not share an event loop with the servers it measures. Every request is a distinct Clover
 * firehose webhook (a payment object change) signed with the app secret, as Clover would send it.
 *
 * Input: one JSON argument `{ url, connections, durationSeconds, secret }`; output: the
 * autocannon result, sent to the parent over IPC.
 */
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  secret: string;
  /** `P` (payment: followed up by the processor) or `O` (order: stored and published only). */
  prefix: 'P' | 'O';
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
let sequence = 0;
const prefix = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();

function nextWebhook(): { body: string; signature: string } {
  const id = `${prefix}${(sequence++).toString(36).toUpperCase()}`.slice(-13).padStart(13, '0');
  const body = `{"appId":"BENCHAPP00001","merchants":{"BENCHMERCHANT":[{"objectId":"${spec.prefix}:BENCHMERCHANT/${id}","type":"CREATE","ts":${Date.now()}}]}}`;
  return { body, signature: createHmac('sha256', spec.secret).update(body).digest('hex') };
}

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  pipelining: 1,
  requests: [
    {
      method: 'POST',
      setupRequest: (request: Record<string, unknown>) => {
        const { body, signature } = nextWebhook();
        return { ...request, body, headers: { 'content-type': 'application/json', 'x-clover-auth-code': signature } };
      },
    },
  ],
});
process.send!({ result, generated: sequence });
