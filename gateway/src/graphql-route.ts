import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '@switchboard/kit/edge';
import type { Authenticator } from './auth/authenticate.js';
import type { GatewayContext } from './subgraph-data-source.js';

export type ApolloRouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface GraphqlRouteOptions {
  authenticate: Authenticator;
  /** The Apollo handler, available once the supergraph has loaded. */
  apolloHandler: () => ApolloRouteHandler | undefined;
  /** When true, an unauthenticated browser GET of the bare endpoint gets Apollo's landing page. */
  landingPage: boolean;
  onAuthFailure?: (message: string) => void;
  /** For the 413 message. */
  bodyLimitBytes: number;
}

/** The body every gateway-made GraphQL error uses, so clients parse one shape. */
export function graphqlErrorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

const identities = new WeakMap<FastifyRequest, Identity>();

/** Builds the Apollo context from what the onRequest hook established. */
export function gatewayContext(request: FastifyRequest): GatewayContext {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    identity: identities.get(request),
    requestId: request.id,
    traceparent: header('traceparent'),
    tracestate: header('tracestate'),
  };
}

/**
 * `GET|POST /graphql`, registered as an encapsulated plugin so its error handler (GraphQL-shaped
 * 400/413/415 bodies) applies to this route only.
 */
export async function graphqlRoute(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  app.setErrorHandler(graphqlErrorHandler(options.bodyLimitBytes));
  app.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    // onRequest runs before the body is read: unauthenticated callers cost no parsing.
    onRequest: async (request, reply) => {
      if (options.landingPage && isLandingPageRequest(request)) return;
      const outcome = await options.authenticate(request.headers);
      if (outcome.ok) {
        identities.set(request, outcome.identity);
        return;
      }
      options.onAuthFailure?.(outcome.message);
      const code = outcome.status === 401 ? 'UNAUTHENTICATED' : 'SERVICE_UNAVAILABLE';
      if (outcome.status === 401) reply.header('www-authenticate', 'Bearer');
      return reply.code(outcome.status).send(graphqlErrorBody(outcome.message, code));
    },
    handler: async (request, reply) => {
      const handler = options.apolloHandler();
      if (!handler) {
        return reply.code(503).send(graphqlErrorBody('supergraph not loaded yet', 'SERVICE_UNAVAILABLE'));
      }
      return handler(request, reply);
    },
  });
}

/**
 * A browser opening the bare endpoint: no query string, so Apollo can only answer with its
 * landing page and never executes anything without credentials.
 */
function isLandingPageRequest(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    !request.url.includes('?') &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

function graphqlErrorHandler(bodyLimitBytes: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'graphql request failed');
      return reply.code(status).send(graphqlErrorBody('internal server error', 'INTERNAL_SERVER_ERROR'));
    }
    const { message, code } = describeClientError(error, status, bodyLimitBytes);
    return reply.code(status).send(graphqlErrorBody(message, code));
  };
}

function describeClientError(
  error: FastifyError,
  status: number,
  bodyLimitBytes: number,
): { message: string; code: string } {
  if (status === 413) {
    return { message: `request body is larger than the ${bodyLimitBytes}-byte limit`, code: 'PAYLOAD_TOO_LARGE' };
  }
  if (status === 415) {
    return { message: 'unsupported Content-Type: send application/json', code: 'UNSUPPORTED_MEDIA_TYPE' };
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { message: 'request body is empty: expected a JSON object with a "query"', code: 'BAD_REQUEST' };
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { message: 'request body is not valid JSON', code: 'BAD_REQUEST' };
  }
  return { message: error.message, code: 'BAD_REQUEST' };
}
