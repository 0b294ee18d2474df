import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BillingDeps } from '../deps.js';
import { requireServiceKey } from './api-auth.js';
import { apiErrorHandler, sendError } from './api-errors.js';
import { catalogRoutes } from './catalog-routes.js';
import { customerRoutes } from './customer-routes.js';
import { invoiceRoutes } from './invoice-routes.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { usageRoutes } from './usage-routes.js';

export const BILLING_API_PREFIX = '/api/billing/v1';

/** JSON bodies; an empty body counts as `{}` (POST /invoices/:id/void needs none). */
function jsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const invalid = new Error(`body is not valid JSON: ${(error as Error).message}`) as Error & { statusCode: number };
      invalid.statusCode = 400;
      done(invalid, undefined);
    }
  });
}

/** The billing REST API for apps, under `/api/billing/v1/`, one Bearer key per service. */
export const billingApi: FastifyPluginAsync<{ deps: BillingDeps }> = async (app, { deps }) => {
  await app.register(
    async (api) => {
      jsonBodies(api);
      api.setErrorHandler(apiErrorHandler);
      api.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url}`));
      requireServiceKey(api, deps);
      await customerRoutes(api, deps);
      await subscriptionRoutes(api, deps);
      await usageRoutes(api, deps);
      await invoiceRoutes(api, deps);
      await catalogRoutes(api, deps);
    },
    { prefix: BILLING_API_PREFIX },
  );
};
