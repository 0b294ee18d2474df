import { eventContentHash, maskCardNumbers } from './content-hash.js';
import { classify, parsePayload, type EventKind } from './event-kinds.js';
import { asObject, maskCardNumber, PayloadReader, type Problem } from './ps-values.js';

/**
 * Checks a whole batch before anything is stored: the batch is accepted whole or refused whole
 * (README, "Commerce — PrestaShop intake"), and a refusal names every offending event and field.
 */

export interface ValidEvent {
  /** Position in the batch's `events` array (the module maps answers back by index). */
  index: number;
  sourceEventId: number;
  entityType: string;
  entityId: string;
  entityName: string | null;
  actionType: string;
  hookName: string | null;
  hookTimestamp: string | null;
  transactionHash: string | null;
  correlationId: string | null;
  changeSummary: string | null;
  beforeData: Record<string, unknown> | null;
  afterData: Record<string, unknown> | null;
  contextData: Record<string, unknown> | null;
  /** The same three as stored JSON text (null when absent). */
  beforeJson: string | null;
  afterJson: string | null;
  contextJson: string | null;
  kind: EventKind;
  contentHash: string;
}

export interface ValidBatch {
  batchId: string;
  /** The module's `timestamp` (shop-local `Y-m-d H:i:s`), as sent. */
  sentAt: string | null;
  events: ValidEvent[];
}

export interface BatchProblem {
  /** Index in `events`, when the problem is one event's. */
  index?: number;
  event_id?: unknown;
  field: string;
  message: string;
}

export type BatchCheck =
  | { outcome: 'batch'; batch: ValidBatch }
  | { outcome: 'connection-test' }
  | { outcome: 'invalid'; status: 400 | 413; problems: BatchProblem[] };

/** At most this many problems are reported: enough to fix a batch, bounded for huge ones. */
const MAX_PROBLEMS = 50;

export function checkBatch(body: unknown, options: { batchIdHeader?: string; maxEvents: number }): BatchCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid(400, [{ field: 'body', message: 'must be a JSON object with batch_id, timestamp and events' }]);
  }
  // The module's "Test Connection" button posts {test: true, message, timestamp} with the secret.
  if ((body as Record<string, unknown>).test === true && !('events' in body)) return { outcome: 'connection-test' };

  const headProblems: Problem[] = [];
  const head = new PayloadReader(body as Record<string, unknown>, '', headProblems);
  const batchId = head.text('batch_id', 100);
  const timestamp = head.optText('timestamp', 40);
  const rawEvents = (body as Record<string, unknown>).events;
  if (rawEvents === undefined || rawEvents === null) head.fail('events', 'is required');
  else if (!Array.isArray(rawEvents)) head.fail('events', 'must be an array of events');
  if (headProblems.length > 0) return invalid(400, headProblems.map((p) => ({ ...p, field: p.field.slice(1) })));
  if (!Array.isArray(rawEvents)) return invalid(400, [{ field: 'events', message: 'must be an array of events' }]);
  if (options.batchIdHeader !== undefined && options.batchIdHeader.trim() !== batchId) {
    return invalid(400, [{ field: 'X-Batch-ID', message: `header "${options.batchIdHeader}" does not match batch_id "${batchId}"` }]);
  }
  if (rawEvents.length === 0) return invalid(400, [{ field: 'events', message: 'must contain at least one event' }]);
  if (rawEvents.length > options.maxEvents) {
    return invalid(413, [{ field: 'events', message: `must contain at most ${options.maxEvents} events (PRESTASHOP_MAX_EVENTS_PER_BATCH); got ${rawEvents.length}` }]);
  }

  const problems: BatchProblem[] = [];
  const events: ValidEvent[] = [];
  const byEventId = new Map<number, ValidEvent>();
  rawEvents.forEach((raw, index) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const eventId = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).event_id : undefined;
    const report = (field: string, text: string) => problems.push({ index, event_id: eventId, field, message: text });
    const fieldProblems: Problem[] = [];
    const reader = PayloadReader.of(raw, '', fieldProblems);
    if (!reader) {
      report('event', 'must be a JSON object');
      return;
    }
    const e = {
      event_id: reader.positiveInt('event_id'),
      entity_type: reader.text('entity_type', 40),
      entity_id: reader.text('entity_id', 64),
      // Display only: a long name is shortened rather than refused.
      entity_name: reader.optText('entity_name')?.slice(0, 255) ?? null,
      action_type: reader.text('action_type', 60),
      hook_name: reader.optText('hook_name', 120),
      hook_timestamp: reader.optText('hook_timestamp', 40),
      transaction_hash: reader.optText('transaction_hash', 128),
      correlation_id: reader.optText('correlation_id', 128),
      change_summary: reader.optText('change_summary'),
      before_data: optionalObject(reader, 'before_data'),
      after_data: optionalObject(reader, 'after_data'),
      context_data: optionalObject(reader, 'context_data'),
    };
    if (fieldProblems.length > 0) {
      for (const problem of fieldProblems) report(problem.field.slice(1), problem.message);
      return;
    }
    const afterData = e.after_data ? maskCardNumbers(e.after_data, maskCardNumber) : null;
    const head = {
      entityType: e.entity_type.toLowerCase(),
      entityId: e.entity_id,
      actionType: e.action_type.toLowerCase(),
      hookName: e.hook_name,
      contextData: e.context_data,
    };
    const payload = parsePayload({ ...head, afterData });
    if (!payload.ok) {
      for (const problem of payload.problems) report(problem.field, problem.message);
      return;
    }
    const afterJson = afterData ? JSON.stringify(afterData) : null;
    const contextJson = head.contextData ? JSON.stringify(head.contextData) : null;
    const beforeData = e.before_data ? maskCardNumbers(e.before_data, maskCardNumber) : null;
    const event: ValidEvent = {
      index,
      sourceEventId: e.event_id,
      ...head,
      entityName: e.entity_name,
      hookTimestamp: e.hook_timestamp,
      transactionHash: e.transaction_hash,
      correlationId: e.correlation_id,
      changeSummary: e.change_summary,
      beforeData,
      afterData,
      beforeJson: beforeData ? JSON.stringify(beforeData) : null,
      afterJson,
      contextJson,
      kind: classify(head),
      contentHash: eventContentHash({ ...head, afterJson: afterJson ?? 'null', contextJson: contextJson ?? 'null' }),
    };
    const twin = byEventId.get(event.sourceEventId);
    if (twin && twin.contentHash !== event.contentHash) {
      report('event_id', `event_id ${event.sourceEventId} also appears at events[${twin.index}] with different data`);
      return;
    }
    if (!twin) byEventId.set(event.sourceEventId, event);
    events.push(event);
  });
  if (problems.length > 0) return invalid(400, problems);
  return { outcome: 'batch', batch: { batchId, sentAt: timestamp ?? null, events } };
}

/** One line for the module's log (it shows the `error` field of a 4xx answer). */
export function describeProblems(problems: BatchProblem[]): string {
  const first = problems[0]!;
  const where = first.index === undefined ? '' : `events[${first.index}]${first.event_id === undefined ? '' : ` (event_id ${String(first.event_id)})`}: `;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `${where}${first.field} ${first.message}${more}`;
}

function invalid(status: 400 | 413, problems: BatchProblem[]): BatchCheck {
  return { outcome: 'invalid', status, problems };
}

function optionalObject(reader: PayloadReader, key: string): Record<string, unknown> | null {
  const value = reader.data[key];
  if (value === undefined || value === null) return null;
  const object = asObject(value);
  if (object.ok) return object.value;
  reader.fail(key, object.message);
  return null;
}
