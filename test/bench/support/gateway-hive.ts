/**
 * Hive Gateway as test/bench/gateway.ts runs it: its own process, the same supergraph file and the
 * same running subgraphs as Switchboard's gateway, served by node:http exactly as the
 * `hive-gateway` CLI serves its runtime. The benchmark bundles this file with esbuild and runs it
 * with plain `node`, so neither gateway carries a TypeScript loader.
 *
 * Same contract with the subgraphs as Switchboard's gateway: the caller's JWT (HS256, shared
 * secret) is verified by Hive's own JWT plugin, and every subgraph request carries the caller's
 * identity signed with the gateway signing secret, or the subgraphs would refuse it.
 *
 * Environment: PORT, HOST, SUPERGRAPH_PATH, JWT_SECRET, GATEWAY_SIGNING_SECRET and
 * <SUBGRAPH>_URL (base URL of each subgraph, as Switchboard's gateway takes them).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The signing function alone, not the kit's index: that would load MikroORM, Apollo and NATS
// into this process and inflate the RSS measured for Hive with code it never runs.
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../../packages/kit/src/security/identity.js';

/**
 * The few parts of `@graphql-hive/gateway` used here, typed locally. Its own type declarations pull
 * in the DOM library (through @whatwg-node/fetch), which would change the types of `fetch` and
 * friends for every file of the repository's type check; the package is loaded by name at run time.
 */
interface HiveGateway {
  createGatewayRuntime(config: Record<string, unknown>): ((request: IncomingMessage, response: ServerResponse) => void) & { dispose(): Promise<void> };
  useJWT(options: Record<string, unknown>): unknown;
  createInlineSigningKeyProvider(key: string): unknown;
  extractFromHeader(options: { name: string; prefix: string }): unknown;
}
const HIVE_GATEWAY_PACKAGE: string = '@graphql-hive/gateway';
const { createGatewayRuntime, createInlineSigningKeyProvider, extractFromHeader, useJWT } = (await import(HIVE_GATEWAY_PACKAGE)) as HiveGateway;

/** What Hive's JWT plugin adds to the GraphQL context. */
interface JwtContext {
  jwt?: { payload: Record<string, unknown> };
}

const SUBGRAPHS = ['payments', 'commerce', 'billing', 'helpdesk'] as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`gateway-hive: ${name} is required\n`);
    process.exit(1);
  }
  return value;
}

const signingSecret = required('GATEWAY_SIGNING_SECRET');
const jwtSecret = required('JWT_SECRET');

/** The identity Switchboard's gateway derives from the same claims (gateway/src/auth/jwt.ts). */
function identityOf(payload: Record<string, unknown>): Identity {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    sub: String(payload.sub),
    ...(typeof payload.email === 'string' && payload.email ? { email: payload.email } : {}),
    roles,
    via: 'jwt',
  };
}

const runtime = createGatewayRuntime({
  supergraph: required('SUPERGRAPH_PATH'),
  transportEntries: Object.fromEntries(
    SUBGRAPHS.map((name) => [name, { location: `${required(`${name.toUpperCase()}_URL`).replace(/\/+$/, '')}/graphql` }]),
  ),
  landingPage: false,
  graphiql: false,
  logging: 'info',
  plugins: () => [
    useJWT({
      signingKeyProviders: [createInlineSigningKeyProvider(jwtSecret)],
      tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      tokenVerification: { algorithms: ['HS256'] },
      reject: { missingToken: true, invalidToken: true },
    }),
  ],
  propagateHeaders: {
    fromClientToSubgraphs: ({ context }: { context: JwtContext }) => {
      const payload = context.jwt?.payload;
      return payload ? { [IDENTITY_HEADER]: signIdentity(identityOf(payload), signingSecret) } : {};
    },
  },
});

const server = createServer(runtime);
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  process.stdout.write(`hive gateway listening on http://${address}:${port}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.dispose();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
