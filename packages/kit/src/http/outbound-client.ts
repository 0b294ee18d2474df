import { Agent, request } from 'undici';
import { checkOutboundUrl, OutboundUrlError, type OutboundPolicy } from './outbound-url.js';

export interface OutboundRequest {
  method?: 'POST' | 'PUT' | 'GET' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, cut at `maxBodyBytes`. */
  body: string;
  latencyMs: number;
}

export type OutboundErrorKind = 'timeout' | 'network' | 'refused-url';

export class OutboundError extends Error {
  constructor(readonly kind: OutboundErrorKind, message: string, readonly latencyMs: number) {
    super(message);
    this.name = 'OutboundError';
  }
}

/**
 * Outbound HTTP for webhooks and third-party APIs: URL policy (SSRF guard), one timeout for the
 * whole exchange, keep-alive connections, bounded response bodies, errors with a kind.
 */
export class OutboundHttp {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

  constructor(private readonly policy: OutboundPolicy, private readonly maxBodyBytes = 64 * 1024) {}

  async send(req: OutboundRequest): Promise<OutboundResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await checkOutboundUrl(req.url, this.policy);
    } catch (error) {
      throw new OutboundError('refused-url', (error as OutboundUrlError).message, elapsed());
    }
    const signal = AbortSignal.timeout(req.timeoutMs);
    try {
      const response = await request(req.url, {
        method: req.method ?? 'POST',
        headers: req.headers,
        body: req.body,
        signal,
        dispatcher: this.agent,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        if (size < this.maxBodyBytes) chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      const body = Buffer.concat(chunks).subarray(0, this.maxBodyBytes).toString('utf8');
      return { status: response.statusCode, headers: response.headers, body, latencyMs: elapsed() };
    } catch (error) {
      const timedOut = signal.aborted || /timeout/i.test((error as Error).name + (error as Error).message);
      throw new OutboundError(
        timedOut ? 'timeout' : 'network',
        timedOut ? `no answer within ${req.timeoutMs} ms` : (error as Error).message,
        elapsed(),
      );
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
