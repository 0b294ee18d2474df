import type { FastifyInstance } from 'fastify';
import { issueDevToken } from '../auth/dev-token.js';
import { CONSOLE_PREFIX } from './static.js';

/** The roles the subgraphs know (`admin` implies the others). */
export const DEV_LOGIN_ROLES = ['admin', 'ops', 'finance', 'support'] as const;
export type DevLoginRole = (typeof DEV_LOGIN_ROLES)[number];

export interface DevLoginOptions {
  enabled: boolean;
  /** HS256 secret the gateway verifies tokens with (JWT_SECRET). */
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Lifetime of an issued token. */
  ttlSeconds: number;
}

const PATH = `${CONSOLE_PREFIX}/dev-login`;

/**
 * Demo-mode sign-in for the console: `POST /console/dev-login {"role": "ops"}` returns a short-lived
 * JWT for that role, signed with JWT_SECRET like any other token the gateway accepts. Off unless
 * GATEWAY_DEV_LOGIN=true (the launcher sets it; configuration refuses it in production); when off,
 * both methods answer 404 as if the route did not exist, so the SPA fallback never serves it.
 *
 * Only a JSON body is accepted, so a cross-site form cannot make a browser call it.
 */
export async function devLoginRoute(app: FastifyInstance, options: DevLoginOptions): Promise<void> {
  const notFound = { error: 'Not found' };
  const enabled = options.enabled && Boolean(options.secret);

  app.get(PATH, async (_request, reply) => {
    if (!enabled) return reply.code(404).send(notFound);
    return { enabled: true, roles: DEV_LOGIN_ROLES, ttlSeconds: options.ttlSeconds };
  });

  app.post(PATH, { bodyLimit: 1024 }, async (request, reply) => {
    if (!enabled) return reply.code(404).send(notFound);
    const body = request.body as { role?: unknown } | undefined;
    const role = body?.role;
    if (typeof role !== 'string' || !(DEV_LOGIN_ROLES as readonly string[]).includes(role)) {
      return reply.code(400).send({ error: `role must be one of ${DEV_LOGIN_ROLES.join(', ')}`, field: 'role' });
    }
    const token = await issueDevToken(
      options.secret!,
      { sub: `dev-${role}`, email: `${role}@switchboard.local`, roles: [role] },
      options.ttlSeconds,
      { issuer: options.issuer, audience: options.audience },
    );
    const expiresAt = new Date(Date.now() + options.ttlSeconds * 1000).toISOString();
    reply.header('cache-control', 'no-store');
    return { token, roles: [role], expiresAt };
  });
}
