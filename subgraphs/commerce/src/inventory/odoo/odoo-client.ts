import { OutboundError, type OutboundHttp } from '@switchboard/kit';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { OdooTarget } from '../config.js';
import { interpretAnswer, odooJson, type OdooAnswer, type OdooOperation, type OdooProductPayload } from './odoo-payload.js';
import type { RateLimiter } from './rate-limiter.js';

/** One call to the vendor API: what was sent and what came back. */
export interface OdooCall {
  operation: OdooOperation;
  request: Record<string, unknown>;
  answer: OdooAnswer;
  latencyMs: number;
  /** Time spent waiting for a rate-limit slot before the call. */
  waitedMs: number;
}

/** The outcome of pushing one product: read, then create or update. */
export interface ProductPush {
  ok: boolean;
  action?: 'created' | 'updated';
  /** Every call made, in order; the last one's answer is the one that decided. */
  calls: OdooCall[];
}

/**
 * Client of the Odoo vendor API (`POST /vendor_api/product/read|create|update?partner_id=…`,
 * bearer token). Every call first takes a slot from the shared rate limiter; HTTP and network
 * failures come back as answers (never thrown) so the caller can log them.
 */
export class OdooVendorClient {
  private readonly calls?: Counter<'operation' | 'outcome'>;
  private readonly latency?: Histogram<'operation'>;

  constructor(
    private readonly target: OdooTarget,
    private readonly http: OutboundHttp,
    private readonly limiter: RateLimiter,
    private readonly timeoutMs: number,
    metrics?: Registry,
  ) {
    if (metrics) {
      this.calls = new Counter({
        name: 'odoo_api_calls_total',
        help: 'Calls to the Odoo vendor API by operation and outcome',
        labelNames: ['operation', 'outcome'],
        registers: [metrics],
      });
      this.latency = new Histogram({
        name: 'odoo_api_call_seconds',
        help: 'Latency of calls to the Odoo vendor API',
        labelNames: ['operation'],
        buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [metrics],
      });
    }
  }

  async call(operation: OdooOperation, request: Record<string, unknown>): Promise<OdooCall> {
    const url = `${this.target.baseUrl}/vendor_api/product/${operation}?partner_id=${encodeURIComponent(String(this.target.partnerId))}`;
    const { value, waitedMs } = await this.limiter.schedule(async (): Promise<{ answer: OdooAnswer; latencyMs: number }> => {
      try {
        const response = await this.http.send({
          method: 'POST',
          url,
          headers: {
            authorization: `Bearer ${this.target.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: odooJson(request),
          timeoutMs: this.timeoutMs,
        });
        return { answer: interpretAnswer(operation, response), latencyMs: response.latencyMs };
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        return {
          latencyMs: error.latencyMs,
          answer: {
            ok: false,
            error: `/vendor_api/product/${operation}: ${error.kind}: ${error.message}`,
            // A refused URL is a configuration mistake: retrying cannot fix it.
            retryable: error.kind !== 'refused-url',
          },
        };
      }
    });
    const { answer, latencyMs } = value;
    this.calls?.inc({ operation, outcome: answer.ok ? 'success' : answer.status ? `http_${answer.status}` : 'error' });
    this.latency?.observe({ operation }, latencyMs / 1000);
    return { operation, request, answer, latencyMs, waitedMs };
  }

  /**
   * Reads the product by `default_code`, then updates it or creates it. A create refused as a
   * duplicate (another replica created it in between) falls back to an update.
   */
  async pushProduct(payload: OdooProductPayload): Promise<ProductPush> {
    const calls: OdooCall[] = [];
    const read = await this.call('read', { default_code: payload.default_code });
    calls.push(read);
    if (!read.answer.ok) return { ok: false, calls };
    let action: 'created' | 'updated' = read.answer.data ? 'updated' : 'created';
    let last = await this.call(action === 'updated' ? 'update' : 'create', { ...payload });
    calls.push(last);
    if (!last.answer.ok && action === 'created' && last.answer.code === 'DUPLICATE_DEFAULT_CODE') {
      action = 'updated';
      last = await this.call('update', { ...payload });
      calls.push(last);
    }
    return last.answer.ok ? { ok: true, action, calls } : { ok: false, calls };
  }
}
