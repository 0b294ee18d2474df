/**
 * PrestaShop module events for the benchmarks, fast enough to feed thousands of requests a second.
 *
 * The testkit's `phpJsonEncode` is exact but walks every string character by character (about
 * 0.8 ms per event); `encodeLikePhp` produces the same bytes from JSON.stringify plus a few regular
 * expressions, and `checkEncoder` proves that on the events at hand before a run relies on it.
 * `EventTemplates` goes further for the intake benchmark: each event is encoded once with a
 * placeholder id, and a request is then a string substitution.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { moduleBatchId, phpDate, phpJsonEncode, PhpFloat, PrestashopShop, type ModuleEvent } from '@switchboard/testkit';

const FLOAT_MARK = '\u0000phpfloat:';

/** PHP's json_encode (no flags), as the module sends it: the testkit's phpJsonEncode, faster. */
export function encodeLikePhp(value: unknown): string {
  const json = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof PhpFloat) return `${FLOAT_MARK}${item.value}`;
    if (typeof item === 'number' && !Number.isInteger(item)) return `${FLOAT_MARK}${item}`;
    // PHP cannot tell an empty associative array from an empty list.
    if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).every((key) => (item as Record<string, unknown>)[key] === undefined)) return [];
    return item;
  });
  return json
    .replace(/"\\u0000phpfloat:([^"]+)"/g, (_match, number: string) => phpFloatText(Number(number)))
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function phpFloatText(value: number): string {
  const text = String(value);
  if (/e/.test(text)) return text.replace(/^(-?\d+)e/, '$1.0e');
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** Throws unless `encodeLikePhp` gives the testkit encoder's exact bytes for these events. */
export function checkEncoder(events: readonly ModuleEvent[]): void {
  for (const event of events) {
    if (encodeLikePhp(event) !== phpJsonEncode(event)) throw new Error(`encodeLikePhp differs from phpJsonEncode for event ${event.event_id}`);
  }
}

/** `count` distinct events of a simulated shop (ids from `firstEventId`), mixed as a shop makes them. */
export function simulatedEvents(count: number, options: { seed: number; firstEventId: number; idBase: number }): ModuleEvent[] {
  const shop = new PrestashopShop({ seed: options.seed, firstEventId: options.firstEventId, idBase: options.idBase });
  return shop.simulate(count).slice(0, count);
}

/** The body and headers of a module batch of already-encoded events. */
export function batchRequest(encodedEvents: readonly string[], eventIds: readonly number[], secret: string, sentAt = new Date()): { body: string; headers: Record<string, string> } {
  const batchId = moduleBatchId([...eventIds], sentAt);
  return {
    body: `{"batch_id":"${batchId}","timestamp":"${phpDate(sentAt)}","events":[${encodedEvents.join(',')}]}`,
    headers: { 'content-type': 'application/json', 'x-webhook-secret': secret, 'x-batch-id': batchId },
  };
}

const PLACEHOLDER_ID = 987654321;

/**
 * Encoded events with a placeholder id: `event(i, id)` is template `i mod n` carrying `id`. The
 * content repeats every `n` events (the intake stores them all; processing then finds repeats),
 * the ids never do.
 */
export class EventTemplates {
  private constructor(private readonly templates: string[]) {}

  static generate(count: number, seed = 4242): EventTemplates {
    const events = simulatedEvents(count, { seed, firstEventId: 1, idBase: 0 });
    checkEncoder(events.slice(0, 200));
    return new EventTemplates(events.map((event) => encodeLikePhp({ ...event, event_id: PLACEHOLDER_ID })));
  }

  static read(file: string): EventTemplates {
    return new EventTemplates(JSON.parse(readFileSync(file, 'utf8')) as string[]);
  }

  write(file: string): void {
    writeFileSync(file, JSON.stringify(this.templates));
  }

  event(index: number, eventId: number): string {
    return this.templates[index % this.templates.length]!.replace(`"event_id":${PLACEHOLDER_ID}`, `"event_id":${eventId}`);
  }
}
