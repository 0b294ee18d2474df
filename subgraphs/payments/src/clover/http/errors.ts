/**
 * Typed failures of Clover calls. Callers branch on the class, never on message text:
 * a decline is not an outage, and an outage during a charge leaves its outcome unknown.
 */

export type CloverSurface = 'oauth' | 'platform' | 'ecommerce' | 'tokenization' | 'terminal';

export abstract class CloverError extends Error {
  abstract readonly code: string;
}

/** Clover answered with an error status. */
export class CloverApiError extends CloverError {
  readonly code: string = 'clover_api_error';
  constructor(
    readonly surface: CloverSurface,
    readonly status: number,
    /** Clover's own message (`error.message` or `message`). */
    readonly cloverMessage: string,
    readonly cloverCode?: string,
    readonly body?: unknown,
  ) {
    super(`Clover ${surface} answered ${status}: ${cloverMessage}`);
    this.name = new.target.name;
  }
}

/** 400/404/409: Clover refused the request itself; nothing happened. */
export class CloverRequestRejected extends CloverApiError {
  override readonly code = 'request_rejected';
}

/** 402: the card was declined. The declined charge may still have an id at Clover. */
export class CloverCardDeclined extends CloverApiError {
  override readonly code = 'card_declined';
  constructor(surface: CloverSurface, status: number, cloverMessage: string, readonly declineCode?: string, readonly chargeId?: string, body?: unknown) {
    super(surface, status, cloverMessage, 'card_declined', body);
  }
}

/** 401 that a refresh did not cure (or credentials that cannot be refreshed). */
export class CloverUnauthorized extends CloverApiError {
  override readonly code = 'unauthorized';
}

/**
 * Timeout, dropped connection or 5xx: Clover may or may not have acted. Money movements in
 * this state stay pending and are resolved with their idempotency key.
 */
export class CloverUnavailable extends CloverError {
  readonly code = 'clover_unavailable';
  constructor(
    readonly surface: CloverSurface,
    message: string,
    readonly status?: number,
    /** Clover said when to ask again (a 429's `retry-after`). */
    readonly retryAfterMs?: number,
  ) {
    super(`Clover ${surface} unavailable: ${message}`);
    this.name = 'CloverUnavailable';
  }
}

/** The refresh token was refused: only the merchant re-authorizing brings the connection back. */
export class CloverReauthorizationRequired extends CloverError {
  readonly code = 'reauthorization_required';
  constructor(readonly connectionId: string, reason: string) {
    super(`Clover connection ${connectionId} must be re-authorized by the merchant: ${reason}`);
    this.name = 'CloverReauthorizationRequired';
  }
}

/** No credential usable for this call (e.g. REST Pay Display without an OAuth connection). */
export class CloverNotConnected extends CloverError {
  readonly code = 'not_connected';
  constructor(message: string) {
    super(message);
    this.name = 'CloverNotConnected';
  }
}
