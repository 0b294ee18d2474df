import { OutboundError, type Logger, type OutboundHttp } from '@switchboard/kit';
import {
  CloverApiError,
  CloverCardDeclined,
  CloverRequestRejected,
  CloverUnauthorized,
  CloverUnavailable,
  type CloverSurface,
} from './errors.js';

export interface CloverCall {
  surface: CloverSurface;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  body?: unknown;
  timeoutMs: number;
}

export interface CloverReply {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  /** A 429's `retry-after`: asking again sooner only lengthens Clover's wait. */
  retryAfterMs?: number;
}

/**
 * One HTTP exchange with a Clover host. Transport failures become `CloverUnavailable`; the status
 * is returned as is (callers decide whether a 401 deserves a refresh). Only the method, path,
 * status and latency are logged: bodies carry tokens and card data.
 */
export async function sendToClover(http: OutboundHttp, call: CloverCall, logger: Logger): Promise<CloverReply> {
  const path = new URL(call.url).pathname;
  try {
    const response = await http.send({
      method: call.method,
      url: call.url,
      timeoutMs: call.timeoutMs,
      headers: {
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...call.headers,
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
    logger.debug({ surface: call.surface, method: call.method, path, status: response.status, latencyMs: response.latencyMs }, 'clover call');
    const retryAfterMs = response.status === 429 ? retryAfterOf(response.headers['retry-after']) : undefined;
    return { status: response.status, body: parseBody(response.body), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  } catch (error) {
    if (error instanceof OutboundError) {
      logger.warn({ surface: call.surface, method: call.method, path, kind: error.kind, latencyMs: error.latencyMs }, 'clover call failed');
      throw new CloverUnavailable(call.surface, error.kind === 'timeout' ? `no answer within ${call.timeoutMs} ms` : error.message);
    }
    throw error;
  }
}

/** `retry-after` in seconds (Clover's form) or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Clover's message for an error body (`{error: {message}}` on ecommerce, `{message}` elsewhere). */
export function cloverMessage(body: unknown): { message: string; code?: string; declineCode?: string; charge?: string } {
  if (body && typeof body === 'object') {
    const record = body as Record<string, any>;
    const error = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : undefined;
    const message = (error?.message ?? record.message ?? '') as string;
    return {
      message: String(message || 'no message'),
      code: (error?.code ?? record.code) as string | undefined,
      declineCode: (error?.declineCode ?? error?.decline_code) as string | undefined,
      charge: error?.charge as string | undefined,
    };
  }
  return { message: typeof body === 'string' && body ? body.slice(0, 200) : 'no message' };
}

/** Throws the typed error for a non-2xx reply; returns the body otherwise. */
export function expectSuccess<T>(surface: CloverSurface, reply: CloverReply): T {
  if (reply.status >= 200 && reply.status < 300) return reply.body as T;
  throw errorFor(surface, reply);
}

export function errorFor(surface: CloverSurface, reply: CloverReply): CloverApiError | CloverUnavailable {
  const { message, code, declineCode, charge } = cloverMessage(reply.body);
  if (reply.status === 401 || reply.status === 403) return new CloverUnauthorized(surface, reply.status, message, code, reply.body);
  if (reply.status === 402) return new CloverCardDeclined(surface, reply.status, message, declineCode, charge, reply.body);
  if (reply.status >= 500 || reply.status === 429) return new CloverUnavailable(surface, `${reply.status} ${message}`, reply.status, reply.retryAfterMs);
  return new CloverRequestRejected(surface, reply.status, message, code, reply.body);
}
