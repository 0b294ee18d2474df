import { bearerTokenOf } from '@switchboard/kit';
import type { FastifyInstance } from 'fastify';
import type { BillingDeps } from '../deps.js';
import type { BillingService } from '../services/billing-service.js';
import { sendError } from './api-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    billingService?: BillingService;
  }
}

/**
 * Every billing API call carries `Authorization: Bearer <service API key>`; the key decides the
 * service, and the service sees and touches only its own customers, subscriptions and invoices.
 * Checked before the body is read, so an unauthenticated caller costs no parsing.
 */
export function requireServiceKey(app: FastifyInstance, deps: BillingDeps): void {
  app.decorateRequest('billingService', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const service = await deps.serviceAuth.authenticate(bearerTokenOf(request.headers.authorization));
    if (!service) {
      reply.header('www-authenticate', 'Bearer realm="billing"');
      return sendError(reply, 401, 'unauthorized', 'a valid service API key is required: Authorization: Bearer <key>');
    }
    request.billingService = service;
  });
}

/** The authenticated service of a request (set by `requireServiceKey`). */
export function serviceOf(request: { billingService?: BillingService }): BillingService {
  if (!request.billingService) throw new Error('billing API route registered without requireServiceKey');
  return request.billingService;
}
