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
