import type { FastifyInstance } from 'fastify';
import type { BillingDeps } from '../deps.js';
import { ingestUsage } from '../usage/usage-ingest.js';
import { parseUsageBatch } from '../usage/usage-input.js';
import { serviceOf } from './api-auth.js';
import { sendError } from './api-errors.js';

export async function usageRoutes(app: FastifyInstance, deps: BillingDeps): Promise<void> {
  /**
   * A batch of aggregated counters, stored all or nothing in one transaction: 202 with how many
   * records were new and how many were retries of records already stored.
   */
  app.post('/usage', { bodyLimit: deps.billing.apiBodyLimitBytes }, async (request, reply) => {
    const service = serviceOf(request);
    const now = new Date();
    const parsed = parseUsageBatch(request.body, deps.billing.usageMaxBatch, now);
    if (!parsed.ok) {
      const first = parsed.problems[0]!;
      return sendError(reply, 400, 'invalid_request', `${first.field} ${first.message}`, { field: first.field, details: parsed.problems });
    }
    const outcome = await ingestUsage(deps, service, parsed.records, now);
    return reply.code(202).send({ accepted: outcome.accepted, duplicates: outcome.duplicates, received: parsed.records.length });
  });
}
