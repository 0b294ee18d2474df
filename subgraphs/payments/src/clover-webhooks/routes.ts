import type { FastifyPluginAsync } from 'fastify';
import { CloverApiError, CloverInputError, CloverNotFoundError, CloverStateError, CloverUnavailable, OAuthStateRejected } from '../clover/index.js';
import { callbackPage } from './callback-page.js';
import type { CloverWebhooksModule } from './module.js';
import { acceptRawBodies, declaredLength, headerOf, rawBodyOf, remoteIpOf } from './raw-body.js';
import { SIGNATURE_HEADER } from './signature.js';

export const CUSTOMER_WEBHOOK_PATH = '/payment/clover/webhook';
export const CUSTOMER_CALLBACK_PATH = '/payment/clover/oauth/callback';

/**
 * The customer installation's Clover routes (the seed's Odoo controller): the webhook and the
 * OAuth callback. The webhook route logs at WARN only: every request is in the journal anyway,
 * and two access-log lines per webhook would cost more than the intake itself.
 */
export const cloverWebhookRoutes: FastifyPluginAsync<{ deps: { cloverWebhooks: CloverWebhooksModule } }> = async (app, { deps }) => {
  const { intake, rejections, config, oauthCallback } = deps.cloverWebhooks;
  acceptRawBodies(app, config.bodyLimitBytes, (request) => {
    if (request.url.startsWith(CUSTOMER_WEBHOOK_PATH)) {
      rejections.record({ endpoint: 'customer', reason: 'too_large', detail: `body over ${config.bodyLimitBytes} bytes`, bodyBytes: declaredLength(request), remoteIp: remoteIpOf(request) });
    }
  });

  app.post(CUSTOMER_WEBHOOK_PATH, { bodyLimit: config.bodyLimitBytes, logLevel: 'warn' }, async (request, reply) => {
    const answer = await intake.receive({ raw: rawBodyOf(request), signature: headerOf(request, SIGNATURE_HEADER), remoteIp: remoteIpOf(request) });
    return reply.code(answer.status).send(answer.body);
  });

  // Liveness for whoever checks the URL before configuring it.
  app.get(CUSTOMER_WEBHOOK_PATH, async () => ({ ok: true }));

  app.get(CUSTOMER_CALLBACK_PATH, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    try {
      const connection = await oauthCallback.complete({ state: query.state, code: query.code, merchantId: query.merchant_id, clientId: query.client_id });
      const name = connection.merchantName ?? connection.merchantId ?? connection.label;
      return callbackPage(request, reply, 200, 'Clover connected', {
        message: `${name} is connected to ${connection.label}. You can close this window.`,
        connectionId: connection.id,
        merchantId: connection.merchantId,
        merchantName: connection.merchantName ?? null,
      });
    } catch (error) {
      const [status, title] =
        error instanceof OAuthStateRejected ? [403, 'Link refused']
        : error instanceof CloverInputError ? [400, 'Incomplete callback']
        : error instanceof CloverNotFoundError ? [404, 'No such connection']
        : error instanceof CloverStateError ? [409, 'Cannot connect']
        : error instanceof CloverUnavailable ? [502, 'Clover unavailable']
        : error instanceof CloverApiError ? [502, 'Clover refused']
        : [500, 'Something went wrong'];
      if (status === 500) request.log.error({ err: error }, 'clover oauth callback failed');
      const reason = error instanceof OAuthStateRejected ? error.reason : error instanceof CloverStateError ? error.code : undefined;
      return callbackPage(request, reply, status, title, {
        message: status === 500 ? 'The connection could not be completed; start again from the console.' : (error as Error).message,
        ...(reason ? { reason } : {}),
        ...(error instanceof CloverInputError && error.field ? { field: error.field } : {}),
      });
    }
  });
};
