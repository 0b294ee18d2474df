import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, InputError, NotFoundError, UnresolvedError } from '../shared/validation.js';

/** Error body of every billing API answer: `{ error: { code, message, field?, details? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; details?: unknown };
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: { field?: string; details?: unknown } = {}) {
  const body: ApiErrorBody = { error: { code, message, ...(extra.field ? { field: extra.field } : {}), ...(extra.details ? { details: extra.details } : {}) } };
  return reply.code(status).send(body);
}

/**
 * Domain errors → 400 (bad field), 422 (names something that does not resolve), 404, 409; body
 * parser errors keep their 4xx (malformed JSON 400, too large 413, wrong type 415); anything else
 * is our fault: 500 without internals.
 */
export function apiErrorHandler(raw: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const error: unknown = raw;
  if (error instanceof InputError) return sendError(reply, 400, 'invalid_request', error.message, { field: error.field });
  if (error instanceof UnresolvedError) return sendError(reply, 422, 'unprocessable', error.message, { field: error.field, details: error.details });
  if (error instanceof NotFoundError) return sendError(reply, 404, 'not_found', error.message);
  if (error instanceof ConflictError) return sendError(reply, 409, 'conflict', error.message, { details: error.details });
  const status = raw.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
    return sendError(reply, status, code, raw.message);
  }
  request.log.error({ err: raw }, 'billing API request failed');
  return sendError(reply, 500, 'internal_error', 'internal error; the request was not applied');
}
