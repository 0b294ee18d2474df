/**
 * What the load generator needs to know about one kind of request (a "flow"): how to build the
 * n-th request, how to read the answer, and how to count its effects afterwards.
 */

/** How a caller reads one answer. */
export type Answer =
  /** 2xx: the system took responsibility for the request. It goes in the ledger. */
  | { outcome: 'accepted' }
  /** The system could not take it now (down, 5xx, timeout): a real caller sends it again. */
  | { outcome: 'refused'; reason: string }
  /** A definitive answer that sending again will not change (e.g. a WEX call whose outcome is unknown). */
  | { outcome: 'final'; reason: string }
  /** A 4xx the caller did not expect: a bug in this generator or in the product. Not retried. */
  | { outcome: 'rejected'; reason: string };

/** One request: the same payload (and idempotency key) every time it is sent. */
export interface FlowRequest {
  /** Unique per request: the idempotency key, or what identifies its effect. */
  key: string;
  send(): Promise<Answer>;
}

/** One effect an accepted request must have, counted per request key. */
export interface EffectCheck {
  /** What is counted and where, e.g. `billing account (billing DB)`. */
  name: string;
  /** How many times each key's effect exists (keys left out: 0). */
  count(keys: string[]): Promise<Map<string, number>>;
}

export interface Flow {
  name: string;
  /** The path through the system, for the report. */
  path: string;
  /** Share of the load (relative to the other flows). */
  weight: number;
  /** Whatever must exist before the first request (an API key, a plan…). */
  setup?(): Promise<void>;
  next(sequence: number): FlowRequest;
  effects: EffectCheck[];
  /** Where some requests whose effect is missing got stuck (one line each), for the report. */
  explain?(keys: string[]): Promise<string[]>;
}

/** Per-request timeout: generous, a restarting database can hold a request for a while. */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface HttpAnswer {
  status: number;
  text: string;
  json: any;
}

/**
 * POST and read the whole answer. Transport failures (connection refused or reset while a
 * process is down, a timeout) come back as `refused`, the way a caller experiences them.
 */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer | { refused: string }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    return { refused: name === 'TimeoutError' ? 'timeout' : (cause?.code ?? cause?.message ?? (error as Error).message) };
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** The common reading: 5xx, 408 and 429 are "try again later"; other 4xx are unexpected. */
export function classify(answer: HttpAnswer | { refused: string }, accepted: (answer: HttpAnswer) => boolean): Answer {
  if ('refused' in answer) return { outcome: 'refused', reason: answer.refused };
  if (answer.status >= 200 && answer.status < 300) {
    return accepted(answer) ? { outcome: 'accepted' } : { outcome: 'rejected', reason: `${answer.status} with an unexpected body: ${answer.text.slice(0, 200)}` };
  }
  if (answer.status >= 500 || answer.status === 408 || answer.status === 429) return { outcome: 'refused', reason: `HTTP ${answer.status}` };
  return { outcome: 'rejected', reason: `HTTP ${answer.status}: ${answer.text.slice(0, 200)}` };
}

/** key → count from `select key, count(*)` rows. */
export function countsOf(rows: { key: unknown; n: unknown }[]): Map<string, number> {
  return new Map(rows.map((row) => [String(row.key), Number(row.n)]));
}
