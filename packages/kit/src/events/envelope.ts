import { randomUUID } from 'node:crypto';

/** The domains that own a JetStream stream each (`PAYMENTS` ← `payments.>`, …). */
export const DOMAINS = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
export type Domain = (typeof DOMAINS)[number];

/** CloudEvents-like envelope carried on the bus. Subject = type = `<domain>.<entity>.<event>`. */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  data: T;
  traceparent?: string;
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function createEvent<T>(input: {
  type: string;
  source: string;
  data: T;
  subject?: string;
  id?: string;
  traceparent?: string;
  time?: Date;
}): EventEnvelope<T> {
  domainOf(input.type);
  return {
    id: input.id ?? randomUUID(),
    type: input.type,
    source: input.source,
    time: (input.time ?? new Date()).toISOString(),
    data: input.data,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    ...(input.traceparent === undefined ? {} : { traceparent: input.traceparent }),
  };
}

/** The domain that owns an event type (its first token); throws on a malformed or foreign type. */
export function domainOf(type: string): Domain {
  if (!TYPE_PATTERN.test(type)) throw new Error(`event type "${type}" is not <domain>.<entity>.<event>`);
  const domain = type.slice(0, type.indexOf('.')) as Domain;
  if (!DOMAINS.includes(domain)) throw new Error(`event type "${type}" names no known domain`);
  return domain;
}

export function streamName(domain: Domain): string {
  return domain.toUpperCase();
}

/** NATS subject matching: `*` one token, `>` one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** The stream (domain) a subscription pattern reads from; patterns may not span domains. */
export function domainOfPattern(pattern: string): Domain {
  const first = pattern.split('.')[0] as Domain;
  if (!DOMAINS.includes(first)) {
    throw new Error(`subscription "${pattern}" must start with a domain (${DOMAINS.join(', ')})`);
  }
  return first;
}

export function encodeEvent(event: EventEnvelope): Uint8Array {
  return Buffer.from(JSON.stringify(event));
}

export function decodeEvent(bytes: Uint8Array): EventEnvelope {
  const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as EventEnvelope;
  if (!parsed || typeof parsed.id !== 'string' || typeof parsed.type !== 'string') {
    throw new Error('not an event envelope');
  }
  return parsed;
}
