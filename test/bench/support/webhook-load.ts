/**
 * The load generator of test/bench/clover-webhook-intake.ts, run in its own process so that it
 * does not share an event loop with the servers it measures. Every request is a distinct Clover
 * firehose webhook (a payment object change) signed with the app secret, as Clover would send it.
 *
 * Input: one JSON argument (WebhookLoadSpec); output: WebhookLoadResult over IPC.
 */
import { createHmac } from 'node:crypto';
import { answerParent, loadSpec, runAutocannon, type LoadFigures, type LoadTarget, type PostRequest } from './autocannon-run.js';

export interface WebhookLoadSpec extends LoadTarget {
  secret: string;
  /** `P` (payment: followed up by the processor) or `O` (order: stored and published only). */
  prefix: 'P' | 'O';
}

export interface WebhookLoadResult extends LoadFigures {
  /** Requests built (sent or about to be). */
  generated: number;
}

const spec = loadSpec<WebhookLoadSpec>();
let sequence = 0;
const prefix = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();

function nextWebhook(): PostRequest {
  const id = `${prefix}${(sequence++).toString(36).toUpperCase()}`.slice(-13).padStart(13, '0');
  const body = `{"appId":"BENCHAPP00001","merchants":{"BENCHMERCHANT":[{"objectId":"${spec.prefix}:BENCHMERCHANT/${id}","type":"CREATE","ts":${Date.now()}}]}}`;
  return { body, headers: { 'content-type': 'application/json', 'x-clover-auth-code': createHmac('sha256', spec.secret).update(body).digest('hex') } };
}

const figures = await runAutocannon(spec, nextWebhook);
answerParent({ ...figures, generated: sequence } satisfies WebhookLoadResult);
