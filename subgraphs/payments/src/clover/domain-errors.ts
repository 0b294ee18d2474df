/** Errors of the Clover module that say what the caller got wrong; transports map them (GraphQL, REST). */

export class CloverInputError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'CloverInputError';
  }
}

export class CloverNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloverNotFoundError';
  }
}

/** The request is valid but conflicts with the current state (e.g. refunding a voided charge). */
export class CloverStateError extends Error {
  constructor(message: string, readonly code = 'invalid_state') {
    super(message);
    this.name = 'CloverStateError';
  }
}

/** A forged, expired or foreign OAuth state: answer 403, do nothing else. */
export class OAuthStateRejected extends Error {
  readonly status = 403;
  constructor(readonly reason: string, message: string) {
    super(message);
    this.name = 'OAuthStateRejected';
  }
}
