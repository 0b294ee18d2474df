import { phpJsonEncode } from './php-json.js';
import { moduleBatch, phpDate, type ModuleBatch, type ModuleEvent } from './module-event.js';

export interface SendOutcome {
  status: number;
  /** The answer, parsed when it is JSON. */
  body: any;
  /** Per event of the batch: what the module records in ps_odoo_sales_events. */
  events: { eventId: number; success: boolean; error?: string }[];
}

/**
 * The module's HTTP side (OdooSalesWebhookClient + OdooSalesRetryManager): posts batches with
 * X-Webhook-Secret and X-Batch-ID, reads the answer as the module does — an HTTP error fails the
 * whole batch with "HTTP <code>: <error>", a 2xx with `results` settles each event by index, a
 * 2xx without them settles all — and retries failed events one at a time, as batches of one.
 */
export class PrestashopWebhookSender {
  /** Events whose last delivery failed (sync_status = failed), by event_id. */
  readonly failed = new Map<number, { event: ModuleEvent; error: string; attempts: number }>();
  private clockOffset = 0;

  constructor(
    private readonly options: { url: string; secret: string; userAgent?: string; now?: () => Date },
  ) {}

  /**
   * Sends a batch as prepared (batch_id and timestamp included). `body` is the batch already
   * encoded, for callers that must not spend time encoding while they measure or race.
   */
  async send(batch: ModuleBatch, options: { headers?: Record<string, string>; body?: string } = {}): Promise<SendOutcome> {
    const body = options.body ?? phpJsonEncode(batch);
    const headers = options.headers ?? {};
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        'X-Webhook-Secret': this.options.secret,
        'X-Batch-ID': batch.batch_id,
        'User-Agent': this.options.userAgent ?? 'PrestaShop-Odoo-Sales-Sync/1.0',
        ...headers,
      },
      body,
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // the module keeps the raw text too
    }
    const events = batch.events.map((event, index) => {
      if (response.status >= 400) {
        const error = `HTTP ${response.status}: ${parsed?.error ?? `HTTP ${response.status}`}`;
        return { eventId: event.event_id, success: false, error };
      }
      const result = Array.isArray(parsed?.results) ? parsed.results[index] : { success: true };
      return result?.success ? { eventId: event.event_id, success: true } : { eventId: event.event_id, success: false, error: result?.error ?? 'Unknown error' };
    });
    for (const [index, outcome] of events.entries()) {
      if (outcome.success) this.failed.delete(outcome.eventId);
      else {
        const previous = this.failed.get(outcome.eventId);
        this.failed.set(outcome.eventId, { event: batch.events[index]!, error: outcome.error!, attempts: (previous?.attempts ?? 0) + 1 });
      }
    }
    return { status: response.status, body: parsed, events };
  }

  /** Batches events with a fresh batch_id (send time + event ids) and sends them. */
  sendEvents(events: ModuleEvent[]): Promise<SendOutcome> {
    return this.send(moduleBatch(events, this.now()));
  }

  /** OdooSalesRetryManager::executeRetry: every failed event again, each as a batch of one. */
  async retryFailed(): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    for (const { event } of [...this.failed.values()]) outcomes.push(await this.sendEvents([event]));
    return outcomes;
  }

  /** The back office's "Test Connection" button. */
  async testConnection(): Promise<{ success: boolean; status: number }> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Secret': this.options.secret, 'User-Agent': 'PrestaShop-Odoo-Sales-Sync/1.0' },
      body: phpJsonEncode({ test: true, message: 'Test connection from PrestaShop Odoo Sales Sync', timestamp: phpDate(this.now()) }),
    });
    await response.arrayBuffer();
    return { success: response.status >= 200 && response.status < 300, status: response.status };
  }

  private now(): Date {
    // A later send of the same events gets a later batch_id timestamp, as in the module.
    return this.options.now?.() ?? new Date(Date.now() + this.clockOffset++ * 1000);
  }
}
