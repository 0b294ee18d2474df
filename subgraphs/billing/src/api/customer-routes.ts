import { createHmac } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';
import { AccountLink } from '../accounts/account-link.js';
import { upsertCustomer } from '../accounts/account-links.js';
import type { BillingDeps } from '../deps.js';
import { NotFoundError } from '../shared/validation.js';
import { serviceOf } from './api-auth.js';
import { customerJson } from './serializers.js';

const CHECKOUT_TTL_SECONDS = 3600;

export async function customerRoutes(app: FastifyInstance, deps: BillingDeps): Promise<void> {
  /** Upsert a customer: (service, external id) → e-mail; 201 when the link is new, 200 otherwise. */
  app.post('/customers', async (request, reply) => {
    const service = serviceOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const upsert = () =>
      deps.transaction(({ em }) => upsertCustomer(em, service.id, { externalId: body.external_id, email: body.email, name: body.name, currency: body.currency }));
    // The account (or link) may be created at the same moment by another request or by commerce's
    // `customer.upserted`: the loser of that race runs again and finds it.
    const result = await upsert().catch((error) => {
      if (error instanceof UniqueConstraintViolationException) return upsert();
      throw error;
    });
    return reply.code(result.created ? 201 : 200).send({ customer: customerJson(result.link, result.account) });
  });

  /**
   * A link to the hosted checkout / payment-method page for one customer, when one is configured
   * (BILLING_CHECKOUT_URL): a token signed with the billing key names the service and customer
   * and expires in an hour.
   */
  app.get<{ Params: { id: string } }>('/customers/:id/checkout_url', async (request, reply) => {
    const service = serviceOf(request);
    if (!deps.billing.checkoutUrl) throw new NotFoundError('no checkout is configured for billing (BILLING_CHECKOUT_URL)');
    const link = await deps.db.em().findOne(AccountLink, { serviceId: service.id, externalId: request.params.id });
    if (!link) throw new NotFoundError(`no customer ${request.params.id} at this service`);
    const expiresAt = Math.floor(Date.now() / 1000) + CHECKOUT_TTL_SECONDS;
    const payload = Buffer.from(JSON.stringify({ service: service.code, customer: link.externalId, email: link.email, exp: expiresAt })).toString('base64url');
    const signature = createHmac('sha256', deps.billing.keyring.current.key).update(`checkout.${payload}`).digest('base64url');
    const url = new URL(deps.billing.checkoutUrl);
    url.searchParams.set('token', `${payload}.${signature}`);
    return reply.send({ checkout_url: url.toString(), expires_at: new Date(expiresAt * 1000).toISOString() });
  });
}
