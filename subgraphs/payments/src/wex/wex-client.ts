import { OutboundError, type OutboundHttp } from '@switchboard/kit';
import type { WexAnswer } from './wex-outcome.js';

/** Asks WEX for one virtual card. Never throws: failures come back as answers to classify. */
export interface WexClient {
  requestCard(body: string): Promise<WexAnswer>;
}

/** The real WEX API: JSON over HTTPS with Basic auth, as the legacy proxy called it. */
export class HttpWexClient implements WexClient {
  constructor(
    private readonly http: OutboundHttp,
    private readonly options: { url: string; username: string; password: string; timeoutMs: number },
  ) {}

  async requestCard(body: string): Promise<WexAnswer> {
    const credentials = Buffer.from(`${this.options.username}:${this.options.password}`, 'utf8').toString('base64');
    try {
      const response = await this.http.send({
        method: 'POST',
        url: this.options.url,
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Basic ${credentials}` },
        body,
        timeoutMs: this.options.timeoutMs,
      });
      return { kind: 'response', status: response.status, body: response.body };
    } catch (error) {
      if (error instanceof OutboundError) return { kind: 'error', error: error.kind, message: error.message };
      return { kind: 'error', error: 'network', message: (error as Error).message };
    }
  }
}

/**
 * `TEST_MODE=true`: the legacy built-in simulator — no call leaves the process, every request gets
 * the same documented test card. Its answer goes through the same interpretation as a real one.
 */
export class SimulatedWexClient implements WexClient {
  async requestCard(): Promise<WexAnswer> {
    return {
      kind: 'response',
      status: 200,
      body: JSON.stringify({
        virtual_card: { number: '4111222233334444', security_code: '123', expiration: '2027-09-01T00:00:00Z' },
        detailed_response_message: 'Success: Test mode transaction',
      }),
    };
  }
}
