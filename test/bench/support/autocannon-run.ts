/**
 * The inside of every load generator process (webhook-load.ts, intake-load-process.ts,
 * gateway-load.ts): read the spec the parent passed, run autocannon closed loop, answer over IPC.
 * Only these child processes import it: autocannon must never share an event loop with the servers
 * it measures. The parent side is load-generators.ts.
 */
import autocannon from 'autocannon';

/** Where and how hard to load: closed loop, `connections` requests in flight for `durationSeconds`. */
export interface LoadTarget {
  url: string;
  connections: number;
  durationSeconds: number;
}

/** One POST to send: its body and headers. */
export interface PostRequest {
  body: string;
  headers: Record<string, string>;
}

/** What a run measured. Latencies in milliseconds. */
export interface LoadFigures {
  /** Mean requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  /** 2xx answers. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts (requests without an answer). */
  errors: number;
}

/**
 * POSTs to `target.url` without pipelining, every request built anew by `nextRequest` (so each is a
 * distinct one); `onResponse` sees every answer's status and body.
 */
export async function runAutocannon(target: LoadTarget, nextRequest: () => PostRequest, onResponse?: (status: number, body: string) => void): Promise<LoadFigures> {
  const result = await autocannon({
    url: target.url,
    connections: target.connections,
    duration: target.durationSeconds,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: Record<string, unknown>) => ({ ...request, ...nextRequest() }),
        ...(onResponse ? { onResponse } : {}),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The spec the parent passed as this process's one JSON argument. */
export function loadSpec<Spec>(): Spec {
  return JSON.parse(process.argv[2]!) as Spec;
}

/** Sends the result to the parent, then exits. */
export function answerParent(result: unknown): void {
  process.send!(result, () => process.exit(0));
}
