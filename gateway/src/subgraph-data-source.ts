import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADER, injectTraceHeaders, signIdentity, type Identity } from '@switchboard/kit';
import { fetch, type Agent } from 'undici';

/** Per-request values the gateway derives from the incoming HTTP request. */
export interface GatewayContext {
  identity?: Identity;
  requestId?: string;
  traceparent?: string;
  tracestate?: string;
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  signingSecret: string;
  timeoutMs: number;
  /** Shared keep-alive pool so subgraph calls reuse connections. */
  dispatcher: Agent;
}

/**
 * Sends each subgraph request with the caller's identity signed by the gateway, plus the trace
 * and request-id headers, and gives up after the configured timeout.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly signingSecret: string;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.signingSecret = options.signingSecret;
    this.fetcher = subgraphFetcher(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const { identity, requestId, traceparent, tracestate } = context as GatewayContext;
    if (identity) headers.set(IDENTITY_HEADER, signIdentity(identity, this.signingSecret));
    if (requestId) headers.set('x-request-id', requestId);
    // With tracing on, the subgraph's span is a child of the gateway's; otherwise pass the caller's through.
    const trace = injectTraceHeaders({});
    const parent = trace.traceparent ? trace : { traceparent, tracestate };
    if (parent.traceparent) headers.set('traceparent', parent.traceparent);
    if (parent.tracestate) headers.set('tracestate', parent.tracestate);
  }
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

function subgraphFetcher({ name, timeoutMs, dispatcher }: SubgraphDataSourceOptions): Fetcher {
  return async (url, init = {}) => {
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return response as unknown as Awaited<ReturnType<Fetcher>>;
    } catch (error) {
      // Replace undici's generic "fetch failed" / AbortError with something an operator can act on.
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') {
        throw new Error(`subgraph ${name} did not respond within ${timeoutMs} ms`);
      }
      const reason = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new Error(`subgraph ${name} unreachable: ${reason}`);
    }
  };
}
