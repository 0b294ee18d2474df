/** A client mistake with the field at fault (`usage[3].quantity`, `plan_code`). */
export class InputError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field} ${message}`);
    this.name = 'InputError';
  }
}

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Dotted/indexed path of a field for messages: ['usage', 3, 'quantity'] → `usage[3].quantity`. */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

export const CODE_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/i;

/** A trimmed non-empty string of at most `max` characters, or undefined. */
export function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= max ? trimmed : undefined;
}

/** The request is well formed but refers to something that does not resolve (422). */
export class UnresolvedError extends Error {
  constructor(readonly field: string, message: string, readonly details?: unknown) {
    super(`${field} ${message}`);
    this.name = 'UnresolvedError';
  }
}

/** The request conflicts with the current state (409): a different quantity under the same key, a paid invoice… */
export class ConflictError extends Error {
  constructor(message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Nothing of this service by that id (404); other services' objects are indistinguishable from missing ones. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** An ISO 8601 instant with a time zone, or undefined. */
export function instant(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim())) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}
