import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { acceptRawBodies, declaredLength, headerOf, rawBodyOf, remoteIpOf } from '../clover-webhooks/raw-body.js';
import { SIGNATURE_HEADER } from '../clover-webhooks/signature.js';
import type { DispatcherModule } from './module.js';
import { callbackAnswer, launchAnswer, type OAuthAnswer } from './oauth-fanout.js';

export const DISPATCHER_WEBHOOK_PATH = '/clover/webhook';

/**
 * The dispatcher (seed "Worker endpoints"): OAuth fan-out, webhook fan-out, liveness. `/healthz`
 * is the kit's. It can run as its own Deployment of the payments image.
 */
export const dispatcherRoutes: FastifyPluginAsync<{ deps: { dispatcher: DispatcherModule } }> = async (app, { deps }) => {
  const { intake, routing, rejections, settings, bodyLimitBytes } = deps.dispatcher;
  acceptRawBodies(app, bodyLimitBytes, (request) => {
    if (request.url.startsWith(DISPATCHER_WEBHOOK_PATH)) {
      rejections.record({ endpoint: 'dispatcher', reason: 'too_large', detail: `body over ${bodyLimitBytes} bytes`, bodyBytes: declaredLength(request), remoteIp: remoteIpOf(request) });
    }
  });

  const answer = (reply: FastifyReply, result: OAuthAnswer) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (result.status === 302) return reply.redirect(result.location, 302);
    return reply.code(result.status).send({ ok: false, error: result.error, reason: result.reason });
  };

  app.get('/clover/callback', async (request, reply) => {
    const query = new URL(request.url, 'http://dispatcher').searchParams;
    const result = callbackAnswer(query, routing.table, settings());
    if (result.status === 302) request.log.info({ merchantId: result.merchantId, to: new URL(result.location).host }, 'clover oauth callback forwarded');
    else request.log.warn({ reason: result.reason, remoteIp: remoteIpOf(request) }, 'clover oauth callback refused');
    return answer(reply, result);
  });

  app.get('/clover/launch', async (request, reply) => {
    const query = new URL(request.url, 'http://dispatcher').searchParams;
    const result = launchAnswer(query, routing.table, { ...settings(), ...deps.dispatcher.launch });
    if (result.status === 302) request.log.info({ merchantId: result.merchantId }, 'clover launch: sent to authorize');
    else request.log.warn({ reason: result.reason, merchantId: query.get('merchant_id') }, 'clover launch refused');
    return answer(reply, result);
  });

  // Clover's liveness pings.
  app.get(DISPATCHER_WEBHOOK_PATH, async () => ({ ok: true }));

  app.post(DISPATCHER_WEBHOOK_PATH, { bodyLimit: bodyLimitBytes, logLevel: 'warn' }, async (request, reply) => {
    const result = await intake.receive({
      raw: rawBodyOf(request),
      signature: headerOf(request, SIGNATURE_HEADER),
      contentType: headerOf(request, 'content-type'),
      remoteIp: remoteIpOf(request),
    });
    return reply.code(result.status).send(result.body);
  });
};
