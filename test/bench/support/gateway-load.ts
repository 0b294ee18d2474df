/**
 * The load generator of test/bench/gateway.ts, in its own process so it never shares an event
 * loop (or a core's time slice accounting) with what it measures. POSTs GraphQL requests, one body
 * per seeded customer in turn, and counts every answer that is not a clean 200 without `errors`:
 * a gateway that answers fast with errors must not look fast.
 *
 * Input: one JSON argument (GatewayLoadSpec); output: GatewayLoadReport over IPC.
 */
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../../packages/kit/src/security/identity.js';
import { answerParent, loadSpec, runAutocannon, type LoadFigures, type LoadTarget } from './autocannon-run.js';

export interface GatewayLoadSpec extends LoadTarget {
  bodies: string[];
  headers: Record<string, string>;
  /** Sign this identity for the request (the direct-to-subgraph target, standing in for a gateway). */
  signAs?: { identity: Identity; secret: string };
}

export interface GatewayLoadReport {
  figures: LoadFigures;
  /** Answers with a status other than 200 or a GraphQL `errors` entry. */
  failed: number;
  /** The first failed answer, to say what went wrong. */
  firstFailure?: string;
}

const spec = loadSpec<GatewayLoadSpec>();
let next = 0;
let failed = 0;
let firstFailure: string | undefined;

// A signed identity is valid for five minutes: sign once a minute, not per request.
let signed = '';
let signedAt = 0;
function identityHeader(): Record<string, string> {
  if (!spec.signAs) return {};
  if (Date.now() - signedAt > 60_000) {
    signed = signIdentity(spec.signAs.identity, spec.signAs.secret);
    signedAt = Date.now();
  }
  return { [IDENTITY_HEADER]: signed };
}

const figures = await runAutocannon(
  spec,
  () => ({
    body: spec.bodies[next++ % spec.bodies.length]!,
    headers: { 'content-type': 'application/json', ...spec.headers, ...identityHeader() },
  }),
  (status, body) => {
    if (status === 200 && !body.includes('"errors"')) return;
    failed++;
    firstFailure ??= `${status} ${body.slice(0, 300)}`;
  },
);
answerParent({ figures, failed, firstFailure } satisfies GatewayLoadReport);
