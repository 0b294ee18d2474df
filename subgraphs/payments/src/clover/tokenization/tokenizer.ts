import type { Logger, OutboundHttp } from '@switchboard/kit';
import type { CloverConfig } from '../config.js';
import type { CloverConnection } from '../connections/clover-connection.js';
import type { CloverEcommerce } from '../ecommerce/ecommerce-api.js';
import { expectSuccess, sendToClover } from '../http/clover-http.js';
import { CloverUnauthorized } from '../http/errors.js';
import type { CheckedCard } from './card-rules.js';

export interface CardToken {
  token: string;
  brand: string;
  first6: string;
  last4: string;
  expMonth: string;
  expYear: string;
}

/** PAKMS keys are stable per merchant; refetched after this long or after a 401. */
const PAKMS_CACHE_MS = 60 * 60 * 1000;

/**
 * Server-side tokenization for cards keyed in the back office: PAKMS key from the ecommerce host,
 * then `POST /v1/tokens` on the tokenization host with the key in a header named `apikey`
 * (seed quirk 11). The card goes to Clover and nowhere else: not stored, not logged.
 */
export class CloverTokenizer {
  private readonly pakms = new Map<string, { key: string; until: number }>();

  constructor(
    private readonly deps: { ecommerce: CloverEcommerce; http: OutboundHttp; config: CloverConfig; logger: Logger },
  ) {}

  async tokenize(connection: CloverConnection, card: CheckedCard): Promise<CardToken> {
    try {
      return await this.send(connection, card, await this.key(connection));
    } catch (error) {
      if (!(error instanceof CloverUnauthorized)) throw error;
      // The cached key may have been rotated by the merchant: fetch it again, once.
      this.pakms.delete(connection.id);
      return this.send(connection, card, await this.key(connection));
    }
  }

  private async key(connection: CloverConnection): Promise<string> {
    const cached = this.pakms.get(connection.id);
    if (cached && cached.until > Date.now()) return cached.key;
    const key = await this.deps.ecommerce.pakmsKey(connection);
    this.pakms.set(connection.id, { key, until: Date.now() + PAKMS_CACHE_MS });
    return key;
  }

  private async send(connection: CloverConnection, card: CheckedCard, apiKey: string): Promise<CardToken> {
    const { config, http, logger } = this.deps;
    const reply = await sendToClover(
      http,
      {
        surface: 'tokenization',
        method: 'POST',
        url: `${config.hosts[connection.environment].token}/v1/tokens`,
        headers: { apikey: apiKey },
        body: { card: { number: card.number, exp_month: card.expMonth, exp_year: card.expYear, cvv: card.cvv, brand: card.brand } },
        timeoutMs: config.httpTimeoutMs,
      },
      logger,
    );
    const body = expectSuccess<{ id?: string; card?: { brand?: string; last4?: string; first6?: string; exp_month?: string; exp_year?: string } }>('tokenization', reply);
    if (!body?.id) throw new Error('tokenization answered without a token id');
    return {
      token: body.id,
      brand: body.card?.brand ?? card.brand,
      first6: body.card?.first6 ?? card.first6,
      last4: body.card?.last4 ?? card.last4,
      expMonth: body.card?.exp_month ?? card.expMonth,
      expYear: body.card?.exp_year ?? card.expYear,
    };
  }
}
