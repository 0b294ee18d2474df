import { context, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { contextFrom, tracer } from './tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
  }
}

/**
 * A server span per request, child of the caller's `traceparent`; everything the request does
 * (queries, events it emits, calls it makes) runs inside it. The span carries the request id, as
 * the logs do, so a trace and its log lines find each other.
 */
export const tracingPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, _reply, done) => {
      const parent = contextFrom(request.headers);
      const span = tracer().startSpan(
        `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0]!, 'request.id': request.id } },
        parent,
      );
      request.span = span;
      context.with(trace.setSpan(parent, span), done);
    });
    app.addHook('onResponse', async (request, reply) => {
      request.span?.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) request.span?.setStatus({ code: SpanStatusCode.ERROR });
      request.span?.end();
    });
  },
  { name: 'switchboard-tracing' },
);
