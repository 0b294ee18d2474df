import type { FastifyReply, FastifyRequest } from 'fastify';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The merchant's browser lands on the OAuth callback: a short HTML page for people, JSON for
 * everything else (scripts, tests, the dispatcher's monitoring).
 */
export function callbackPage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: Record<string, unknown> & { message: string }) {
  reply.code(status).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (!String(request.headers.accept ?? '').includes('text/html')) return reply.send({ ok: status < 400, ...body });
  return reply
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
        `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escape(title)}</h1><p>${escape(body.message)}</p></body></html>`,
    );
}
