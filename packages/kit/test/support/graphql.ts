import type { FastifyInstance } from 'fastify';
import { IDENTITY_HEADER, signIdentity } from '../../src/index.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

/** POST /graphql as the gateway would: with a signed identity. */
export async function signedGraphql(
  app: FastifyInstance,
  query: string,
  variables: Record<string, unknown> = {},
  roles: string[] = ['admin'],
): Promise<{ status: number; body: { data?: any; errors?: { message: string; extensions?: any }[] } }> {
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      [IDENTITY_HEADER]: signIdentity({ sub: 'tester', roles, via: 'jwt' }, SIGNING_SECRET),
    },
    payload: { query, variables },
  });
  return { status: response.statusCode, body: response.json() };
}

export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last value: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
