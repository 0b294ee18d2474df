import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Webhook bodies are kept as the exact bytes received (HMACs are computed over them and the
 * dispatcher forwards them verbatim), whatever the Content-Type. Fastify refuses a body over
 * `limit` with 413 before reading it when Content-Length says so, and stops reading the moment a
 * streamed body passes it, so an oversized body is never buffered whole.
 */
export function acceptRawBodies(app: FastifyInstance, limit: number, onTooLarge: (request: FastifyRequest) => void): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error.statusCode === 413) {
      onTooLarge(request);
      discardRestOfBody(request);
      reply.removeHeader('connection');
      return reply.code(413).send({ ok: false, reason: 'too_large', error: `the body is larger than ${limit} bytes` });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ ok: false, error: error.message });
    }
    request.log.error({ err: error }, 'clover webhook route failed');
    return reply.code(500).send({ ok: false, error: 'the webhook could not be stored; it is safe to send it again' });
  });
}

/** How long a refused upload may keep sending (discarded) before its connection is cut. */
const DISCARD_FOR_MS = 5_000;

/**
 * Fastify closes the connection after a 413 with the rest of the upload unread, and closing a
 * socket with unread bytes sends a TCP reset that often destroys the 413 on its way to the
 * client (it sees "connection reset" instead of the answer). So the rest is read and thrown away
 * (no memory kept) while the answer goes out — on a kept-alive connection, so the client can read
 * it — for a few seconds at most, then the connection is cut.
 */
function discardRestOfBody(request: FastifyRequest): void {
  const incoming = request.raw;
  const socket = incoming.socket;
  const cut = setTimeout(() => socket.destroy(), DISCARD_FOR_MS).unref();
  incoming.once('end', () => clearTimeout(cut));
  socket.once('close', () => clearTimeout(cut));
  incoming.removeAllListeners('data');
  incoming.resume();
}

export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The caller as the gateway / ingress reported it (informational: shown to operators). */
export function remoteIpOf(request: FastifyRequest): string {
  const forwarded = headerOf(request, 'x-forwarded-for')?.split(',')[0]?.trim();
  return (forwarded || request.ip).slice(0, 64);
}

/** Content-Length as declared (0 when absent or not a number). */
export function declaredLength(request: FastifyRequest): number {
  const length = Number(headerOf(request, 'content-length'));
  return Number.isFinite(length) && length > 0 ? length : 0;
}
