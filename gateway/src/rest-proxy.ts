import httpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import { IDENTITY_HEADER } from '@switchboard/kit/edge';
import type { SubgraphName } from './config.js';

/** Path prefixes of each subgraph's legacy REST adapters, served through the gateway's origin. */
export const GATEWAY_REST_ROUTES: Readonly<Record<SubgraphName, readonly string[]>> = {
  payments: ['/proxy', '/ack', '/clover', '/payment/clover'],
  commerce: ['/prestashop', '/api/odoo'],
  billing: ['/api/billing'],
  helpdesk: ['/api/helpdesk', '/helpdesk'],
};

/**
 * Registers a pass-through proxy for every prefix whose subgraph has a known base URL. Bodies are
 * streamed untouched (adapters check HMACs over the raw bytes); paths and methods are kept.
 */
export async function registerRestProxy(
  app: FastifyInstance,
  options: { baseUrls: Partial<Record<SubgraphName, string>>; timeoutMs: number },
): Promise<string[]> {
  const registered: string[] = [];
  for (const [subgraph, prefixes] of Object.entries(GATEWAY_REST_ROUTES) as [SubgraphName, readonly string[]][]) {
    const upstream = options.baseUrls[subgraph];
    if (!upstream) continue;
    for (const prefix of prefixes) {
      await app.register(httpProxy, {
        upstream,
        prefix,
        rewritePrefix: prefix,
        undici: {
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          keepAliveTimeout: 30_000,
        },
        replyOptions: {
          rewriteRequestHeaders: (request, headers) => {
            // Only the gateway's GraphQL path may mint identities; never pass a caller's through.
            const { [IDENTITY_HEADER]: _dropped, ...rest } = headers;
            const forwardedFor = headers['x-forwarded-for'];
            return {
              ...rest,
              'x-forwarded-for': forwardedFor ? `${String(forwardedFor)}, ${request.ip}` : request.ip,
              // Keep what an ingress in front already said; adapters build callback URLs from these.
              'x-forwarded-proto': headers['x-forwarded-proto'] ?? request.protocol,
              'x-forwarded-host': headers['x-forwarded-host'] ?? request.host,
              'x-request-id': request.id,
            };
          },
        },
      });
      registered.push(prefix);
    }
  }
  return registered;
}
