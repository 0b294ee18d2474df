import { constantTimeEqual } from '@switchboard/kit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseJsonBody } from './json-body.js';
import type { WexDeps } from './module.js';
import { parseAckRequest, parseProxyRequest, presentedToken } from './proxy-request.js';
import { problem, type Reply } from './replies.js';

/** An Odoo request is well under 2 KiB; anything near this is not one. */
export const PROXY_BODY_LIMIT_BYTES = 64 * 1024;

const TOKEN_HEADER = 'x-proxy-auth-token';

/**
 * The legacy REST contract Odoo Studio calls: `POST /proxy` (ask WEX for a virtual card) and
 * `POST /ack` (stop re-sending a success). Same fields, shapes and status codes as the Flask
 * proxy it replaces; see the README section "Payments — WEX virtual cards".
 */
export const wexRoutes: FastifyPluginAsync<{ deps: { wex: WexDeps } }> = async (app, { deps }) => {
  const { config, issuer } = deps.wex;

  // Like the legacy `get_json(force=True)`: the body is JSON whatever the Content-Type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: PROXY_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.statusCode === 413) {
      return reply.code(413).send({ error: 'Payload Too Large', message: `the request body is larger than ${PROXY_BODY_LIMIT_BYTES} bytes`, field: 'body' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'Bad Request', message: error.message });
    }
    request.log.error({ err: error }, 'WEX proxy route failed');
    return reply.code(500).send({ error: 'Internal Server Error', message: 'the request could not be processed; it is safe to send it again' });
  });

  const send = (reply: FastifyReply, answer: Reply) => reply.code(answer.httpStatus).send(answer.body);

  /** JSON body, proxy enabled, token right: the checks both routes start with, in the legacy order. */
  function admit(request: FastifyRequest): { ok: true; body: unknown } | { ok: false; reply: Reply } {
    if (!config.enabled) {
      return { ok: false, reply: problem(503, 'Service Unavailable', 'the WEX proxy is not configured: set WEBHOOK_URL') };
    }
    const parsed = parseJsonBody(typeof request.body === 'string' ? request.body : '');
    if (!parsed.ok) return { ok: false, reply: problem(400, 'Invalid JSON', parsed.message, { field: 'body' }) };
    if (config.authToken !== undefined) {
      const token = presentedToken(parsed.value, request.headers[TOKEN_HEADER]);
      if (token === undefined || !constantTimeEqual(token, config.authToken)) {
        request.log.warn('WEX proxy: unauthorized call');
        return {
          ok: false,
          reply: problem(401, 'Unauthorized', 'x_studio_proxy_auth_token (body) or X-Proxy-Auth-Token (header) is missing or wrong', {
            field: 'x_studio_proxy_auth_token',
          }),
        };
      }
    }
    return { ok: true, body: parsed.value };
  }

  // Flask answered OPTIONS on its own; the legacy README suggests it as a health check.
  for (const path of ['/proxy', '/ack']) {
    app.options(path, async (_request, reply) => reply.code(200).header('allow', 'OPTIONS, POST').send(''));
  }

  // Warnings only: every card issued or refused is logged by the issuer with its ids; the access
  // log's two lines per request would add cost and nothing else.
  app.post('/proxy', { bodyLimit: PROXY_BODY_LIMIT_BYTES, logLevel: 'warn' }, async (request, reply) => {
    const admitted = admit(request);
    if (!admitted.ok) return send(reply, admitted.reply);
    const parsed = parseProxyRequest(admitted.body);
    if (!parsed.ok) return send(reply, problem(400, 'Invalid input', parsed.message, { field: parsed.field }));
    return send(reply, await issuer.request(parsed.value));
  });

  app.post('/ack', { bodyLimit: PROXY_BODY_LIMIT_BYTES }, async (request, reply) => {
    const admitted = admit(request);
    if (!admitted.ok) return send(reply, admitted.reply);
    const parsed = parseAckRequest(admitted.body);
    if (!parsed.ok) {
      const missing = parsed.field === 'payment_id';
      return send(reply, problem(400, missing ? 'Missing payment_id' : 'Invalid input', parsed.message, { field: parsed.field }));
    }
    const card = await deps.wex.acknowledge(parsed.value);
    if (!card) {
      return send(reply, problem(404, 'Unknown payment_id', `no virtual card was requested with payment_id ${parsed.value}`, { payment_id: parsed.value }));
    }
    return send(reply, { httpStatus: 200, body: { status: 'acknowledged', payment_id: parsed.value } });
  });
};
