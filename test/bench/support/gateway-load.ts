/**
 * The load generator of test/bench/gateway.ts, in its own process so it never shares an event
 * loop (or a core's time slice accounting) with what it measures. POSTs GraphQL requests, one body
 * per seeded customer in turn, and counts every answer that is not a clean 200 without `errors`:
 * a gateway that answers fast with errors must not look fast.
 *
 * Input: one JSON argument (LoadSpec); output: { result, failed } over IPC.
 */
import autocannon from 'autocannon';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../../packages/kit/src/security/identity.js';

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  bodies: string[];
  headers: Record<string, string>;
  /** Sign this identity for the request (the direct-to-subgraph target, standing in for a gateway). */
  signAs?: { identity: Identity; secret: string };
}

export interface LoadReport {
  result: any;
  /** Answers with a status other than 200 or a GraphQL `errors` entry. */
  failed: number;
  /** The first failed answer, to say what went wrong. */
  firstFailure?: string;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
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

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  pipelining: 1,
  requests: [
    {
      method: 'POST',
      setupRequest: (request: Record<string, unknown>) => ({
        ...request,
        body: spec.bodies[next++ % spec.bodies.length],
        headers: { 'content-type': 'application/json', ...spec.headers, ...identityHeader() },
      }),
      onResponse: (status: number, body: string) => {
        if (status === 200 && !body.includes('"errors"')) return;
        failed++;
        firstFailure ??= `${status} ${body.slice(0, 300)}`;
      },
    },
  ],
});
process.send!({ result, failed, firstFailure } satisfies LoadReport);
