import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Dispatcher } from 'undici';
import { IDENTITY_HEADER, injectTraceHeaders, signIdentity, type Identity } from '@switchboard/kit/edge';
import { subgraphFetcher } from './subgraph-fetcher.js';

/** Per-request values the gateway derives from the incoming HTTP request. */
export interface GatewayContext {
  identity?: Identity;
  requestId?: string;
  traceparent?: string;
  tracestate?: string;
}

/**
 * Signs each request's identity once, however many subgraph calls its query plan makes (a
 * Customer-360 query makes five). The signature carries its time, to the second, and subgraphs
 * accept it for five minutes: ample for every call of one request.
 */
export class IdentitySigner {
  private readonly signed = new WeakMap<GatewayContext, string>();

  constructor(private readonly secret: string) {}

  headerFor(context: GatewayContext): string | undefined {
    if (!context.identity) return undefined;
    let header = this.signed.get(context);
    if (header === undefined) {
      header = signIdentity(context.identity, this.secret);
      this.signed.set(context, header);
    }
    return header;
  }
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  identitySigner: IdentitySigner;
  timeoutMs: number;
  /** Shared keep-alive pool so subgraph calls reuse connections. */
  dispatcher: Dispatcher;
}

/**
 * Sends each subgraph request with the caller's identity signed by the gateway, plus the trace
 * and request-id headers, and gives up after the configured timeout.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly identitySigner: IdentitySigner;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.identitySigner = options.identitySigner;
    this.fetcher = subgraphFetcher(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const { requestId, traceparent, tracestate } = context as GatewayContext;
    const identity = this.identitySigner.headerFor(context as GatewayContext);
    if (identity) headers.set(IDENTITY_HEADER, identity);
    if (requestId) headers.set('x-request-id', requestId);
    // With tracing on, the subgraph's span is a child of the gateway's; otherwise pass the caller's through.
    const trace = injectTraceHeaders({});
    const parent = trace.traceparent ? trace : { traceparent, tracestate };
    if (parent.traceparent) headers.set('traceparent', parent.traceparent);
    if (parent.tracestate) headers.set('tracestate', parent.tracestate);
  }
}
