import type { Decimal } from '@switchboard/kit';
import { LosslessNumber, stringify } from 'lossless-json';

/** The product record the vendor API creates or updates (seed "Data Mapping"). */
export interface OdooProductPayload {
  name: string;
  default_code: string;
  vendor_on_hand_qty: number;
  /** A JSON number written exactly as configured (never through a float). */
  supplier: { price: LosslessNumber };
}

/** The JSON text sent to Odoo: amounts as exactly written JSON numbers. */
export function odooJson(body: Record<string, unknown>): string {
  return stringify(body)!;
}

/** What Odoo receives, as plain JSON (for the sync log). */
export function asSent(body: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(odooJson(body)) as Record<string, unknown>;
}

/** "BPC-157 - 5mg": product name, then the variant's own label when it has one. */
export function odooProductName(productName: string, variantName: string): string {
  const variant = variantName.trim();
  return variant ? `${productName.trim()} - ${variant}` : productName.trim();
}

export function buildProductPayload(input: {
  productName: string;
  variantName: string;
  sku: string;
  available: number;
  supplierPrice: Decimal;
}): OdooProductPayload {
  return {
    name: odooProductName(input.productName, input.variantName),
    default_code: input.sku,
    vendor_on_hand_qty: input.available,
    // "0" by default, as the seed hard-coded it; "12.5" for 12.50.
    supplier: { price: new LosslessNumber(input.supplierPrice.toFixed()) },
  };
}

export type OdooOperation = 'read' | 'create' | 'update';

/** What one call to the vendor API came to, with Odoo's answer kept as received. */
export type OdooAnswer =
  | { ok: true; status: number; body: unknown; data: unknown }
  | {
      ok: false;
      /** Undefined when no HTTP answer arrived (timeout, connection refused). */
      status?: number;
      body?: unknown;
      error: string;
      /** Worth another attempt later: timeouts, network errors, 408, 429, 5xx. */
      retryable: boolean;
      /** Odoo asked us to wait (Retry-After on a 429/503). */
      retryAfterMs?: number;
      /** The vendor API's business error code (`DUPLICATE_DEFAULT_CODE`, `NOT_FOUND`, …). */
      code?: string;
    };

/** Parses a body as JSON when it is JSON; otherwise keeps the text (an HTML error page from the proxy). */
export function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function errorText(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const { error, message } = body as { error?: unknown; message?: unknown };
    if (typeof error === 'string') return error;
    if (typeof message === 'string') return message;
  }
  if (typeof body === 'string') {
    // An HTML page: its <title> says what happened ("502 Bad Gateway").
    const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return title || body.slice(0, 200);
  }
  return undefined;
}

/**
 * Interprets an HTTP answer of the vendor API. Business errors arrive as HTTP 200 with
 * `success: false`, so the status code alone is not enough; authentication (401/403) and bad
 * requests are not retried, since the same request would fail the same way.
 */
export function interpretAnswer(
  operation: OdooOperation,
  response: { status: number; headers: Record<string, string | string[] | undefined>; body: string },
  now = Date.now(),
): OdooAnswer {
  const body = parseBody(response.body);
  const where = `/vendor_api/product/${operation}`;
  if (response.status >= 200 && response.status < 300) {
    if (body && typeof body === 'object' && (body as { success?: unknown }).success === true) {
      return { ok: true, status: response.status, body, data: (body as { data?: unknown }).data ?? null };
    }
    const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
    return {
      ok: false,
      status: response.status,
      body,
      error: `${where} refused: ${errorText(body) ?? 'answer without success: true'}`,
      retryable: false,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  const wait = retryAfterMs(response.headers['retry-after'], now);
  const detail = errorText(body);
  return {
    ok: false,
    status: response.status,
    body,
    error: `${where} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`,
    retryable,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  };
}
