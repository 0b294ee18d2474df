import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the console is served; the SPA's router uses the same base. */
export const CONSOLE_PREFIX = '/console';

/**
 * The console only talks to its own origin (GraphQL and the dev sign-in); nothing inline, no
 * framing. Styles applied through the CSSOM (React's `style` prop) are not affected by style-src.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names built assets `<name>-<hash>.<ext>` under assets/: their content never changes. */
const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export interface ConsoleStaticOptions {
  /** The built console (console/dist); when it does not exist the console answers 404 saying so. */
  dir: string;
}

export function consoleDirExists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'index.html'));
  } catch {
    return false;
  }
}

/**
 * Serves the built console at /console: hashed assets cached for a year, index.html revalidated
 * on every load (so a deploy is picked up at once), and every other path under /console answered
 * with index.html so deep links work (the SPA routes them). A missing asset stays a 404.
 */
export async function consoleStatic(app: FastifyInstance, options: ConsoleStaticOptions): Promise<void> {
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(CONSOLE_PREFIX)) return;
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  });

  if (!consoleDirExists(options.dir)) {
    app.log.warn({ dir: options.dir }, 'console not built: /console answers 404 (run `pnpm --filter @switchboard/console build`)');
    const notBuilt = async (_request: unknown, reply: FastifyReply) =>
      reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('The ops console is not built on this server: run `pnpm --filter @switchboard/console build` (or set GATEWAY_CONSOLE_DIR).\n');
    app.get(CONSOLE_PREFIX, notBuilt);
    app.get(`${CONSOLE_PREFIX}/*`, notBuilt);
    return;
  }

  // Loaded only when there is a console to serve: otherwise it would sit in memory unused.
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: options.dir,
      prefix: '/',
      index: ['index.html'],
      // Dot-files and anything outside root are refused by @fastify/send.
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', HASHED_ASSET.test(path.replaceAll('\\', '/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    scope.setNotFoundHandler(async (request, reply) => {
      // Deep links get the app (a browser navigating asks for HTML; e-mails in paths look like
      // file names, so the extension alone cannot decide); a missing built file is a real 404.
      const path = request.url.split('?')[0] ?? '';
      const wantsHtml = (request.headers.accept ?? '').includes('text/html');
      const isPageRequest =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !path.startsWith(`${CONSOLE_PREFIX}/assets/`) &&
        (wantsHtml || !/\.[A-Za-z0-9]+$/.test(path));
      if (!isPageRequest) {
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
      }
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    });
  }, { prefix: CONSOLE_PREFIX });
}
