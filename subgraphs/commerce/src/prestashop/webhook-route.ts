import { constantTimeEqual } from '@switchboard/kit';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { checkBatch, describeProblems, type BatchProblem } from './batch-validation.js';
import type { PrestashopDeps } from './prestashop-deps.js';
import { ProcessingLog } from './processing-log.js';

export const WEBHOOK_PATH = '/prestashop/webhook';

/**
 * `POST /prestashop/webhook`, the URL the odoo_sales_sync module is configured with. Answers in
 * the module's terms: 2xx with one `results[i].success` per event once the batch is stored, and
 * `{ error }` otherwise (the module logs that text and retries the batch later).
 */
export function prestashopWebhookRoutes(deps: PrestashopDeps): FastifyPluginAsync {
  return async (app) => {
    const batches = new Counter({
      name: 'prestashop_batches_total',
      help: 'PrestaShop webhook requests by outcome',
      labelNames: ['outcome'],
      registers: [deps.runtime.metrics],
    });
    const received = new Counter({
      name: 'prestashop_events_received_total',
      help: 'PrestaShop events received, new or re-sent',
      labelNames: ['status'],
      registers: [deps.runtime.metrics],
    });

    // Errors raised before the handler (body too large, not JSON) get the same `{ error }` shape.
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'PrestaShop batch not stored');
        batches.inc({ outcome: 'error' });
        return reply.code(503).send({ status: 'error', error: 'the batch could not be stored; nothing was accepted, send it again later' });
      }
      batches.inc({ outcome: String(status) });
      return reply.code(status).send({ status: 'error', error: clientErrorText(error, deps.config.bodyLimitBytes) });
    });

    app.post(
      WEBHOOK_PATH,
      // Warnings only: every batch is in prestashop_batch and the processing log anyway, and two
      // access-log lines per request would cost a good part of the intake itself.
      { bodyLimit: deps.config.bodyLimitBytes, logLevel: 'warn', onRequest: (request, reply) => authenticate(deps, request, reply, batches) },
      async (request, reply) => {
        // Fastify would hand a text/plain body over as a string; the module always sends JSON.
        if (!/^application\/([\w.+-]*\+)?json\b/i.test(request.headers['content-type'] ?? '')) {
          batches.inc({ outcome: '415' });
          return reply.code(415).send({ status: 'error', error: 'Content-Type must be application/json' });
        }
        const header = request.headers['x-batch-id'];
        const check = checkBatch(request.body, {
          batchIdHeader: Array.isArray(header) ? header[0] : header,
          maxEvents: deps.config.maxEventsPerBatch,
        });
        if (check.outcome === 'connection-test') {
          batches.inc({ outcome: 'connection-test' });
          return reply.code(200).send({ status: 'success', message: 'Switchboard PrestaShop webhook is reachable' });
        }
        if (check.outcome === 'invalid') {
          batches.inc({ outcome: String(check.status) });
          const error = describeProblems(check.problems);
          request.log.warn({ problems: check.problems.slice(0, 10) }, `PrestaShop batch refused: ${error}`);
          await logRefusal(deps, request.body, error, check.problems);
          return reply.code(check.status).send({ status: 'error', error, problems: check.problems });
        }
        const receipt = await deps.intake.store(check.batch);
        batches.inc({ outcome: 'accepted' });
        received.inc({ status: 'accepted' }, receipt.accepted);
        received.inc({ status: 'duplicate' }, receipt.duplicates);
        return reply.code(200).send({
          status: 'success',
          message: `Batch stored: ${receipt.accepted} new event${receipt.accepted === 1 ? '' : 's'}, ${receipt.duplicates} already received`,
          batch_id: receipt.batchId,
          events_received: receipt.results.length,
          events_accepted: receipt.accepted,
          events_duplicate: receipt.duplicates,
          results: receipt.results.map((result) => ({ success: true, event_id: result.eventId, status: result.status })),
        });
      },
    );
  };
}

/** Runs before the body is read: a wrong secret is refused without parsing or storing anything. */
async function authenticate(deps: PrestashopDeps, request: FastifyRequest, reply: FastifyReply, batches: Counter<'outcome'>) {
  const secret = deps.config.webhookSecret;
  if (!secret) {
    batches.inc({ outcome: 'not-configured' });
    return reply.code(503).send({ status: 'error', error: 'PRESTASHOP_WEBHOOK_SECRET is not configured on this server' });
  }
  const given = request.headers['x-webhook-secret'];
  if (typeof given !== 'string' || !constantTimeEqual(given, secret)) {
    batches.inc({ outcome: '401' });
    request.log.warn('PrestaShop webhook called with a missing or wrong X-Webhook-Secret');
    return reply.code(401).send({ status: 'error', error: 'invalid X-Webhook-Secret' });
  }
}

function clientErrorText(error: FastifyError, bodyLimitBytes: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the batch is larger than PRESTASHOP_BODY_LIMIT_BYTES (${bodyLimitBytes} bytes); send smaller batches`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Content-Type must be application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty; expected a JSON batch';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `the body is not valid JSON: ${error.message}`;
    default:
      return error.message;
  }
}

/** A refused batch leaves a WARNING in the processing log (not its events: they were not accepted). */
async function logRefusal(deps: PrestashopDeps, body: unknown, error: string, problems: BatchProblem[]): Promise<void> {
  const batchId = body && typeof body === 'object' && typeof (body as Record<string, unknown>).batch_id === 'string'
    ? ((body as Record<string, unknown>).batch_id as string).slice(0, 100)
    : undefined;
  try {
    await deps.runtime.transaction(async ({ em }) => {
      new ProcessingLog(em, deps.config.logLevel).write('WARNING', `Batch refused: ${error}`, { problems: problems.slice(0, 20) }, { batchId });
    });
  } catch (failure) {
    deps.runtime.logger.warn({ err: failure }, 'could not log a refused PrestaShop batch');
  }
}
