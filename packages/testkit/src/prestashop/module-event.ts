import { createHash, randomUUID } from 'node:crypto';

/**
 * One event as OdooSalesWebhookClient::prepareEventData puts it in a batch. Values keep PHP's
 * types (see php-json.ts): the module sends ids as ints or strings, amounts as floats or
 * DECIMAL strings, depending on where it read them.
 */
export interface ModuleEvent {
  event_id: number;
  entity_type: string;
  entity_id: string;
  entity_name: string;
  action_type: string;
  transaction_hash: string;
  correlation_id: string;
  hook_name: string;
  hook_timestamp: string;
  before_data: Record<string, unknown> | null;
  after_data: Record<string, unknown> | null;
  change_summary: string;
  context_data: Record<string, unknown> | null;
}

export interface ModuleBatch {
  batch_id: string;
  timestamp: string;
  events: ModuleEvent[];
}

/** `Y-m-d H:i:s` of a shop-local wall-clock time (held in a Date's UTC fields). */
export function phpDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** OdooSalesWebhookClient::generateBatchId: the send time plus a hash of the sorted event ids. */
export function moduleBatchId(eventIds: number[], sentAt: Date): string {
  const stamp = phpDate(sentAt).replace(/[-: ]/g, '');
  if (eventIds.length === 0) return `batch_${stamp}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const hash = createHash('md5').update([...eventIds].sort((a, b) => a - b).join(',')).digest('hex').slice(0, 8);
  return `batch_${stamp}_${hash}`;
}

/** OdooSalesEventDetector::generateTransactionHash: entity, id, action and a 5-second bucket. */
export function transactionHash(entityType: string, entityId: number | string, action: string, at: Date): string {
  const bucket = Math.floor(at.getTime() / 1000 / 5) * 5;
  return createHash('sha256').update(`${entityType}_${entityId}_${action}_${bucket}`).digest('hex');
}

/** A batch of events as the module sends it, stamped with the send time. */
export function moduleBatch(events: ModuleEvent[], sentAt: Date): ModuleBatch {
  return { batch_id: moduleBatchId(events.map((event) => event.event_id), sentAt), timestamp: phpDate(sentAt), events };
}

/** Cuts events into batches of `size`, like a shop flushing its queue. */
export function moduleBatches(events: ModuleEvent[], size: number, sentAt: Date): ModuleBatch[] {
  const batches: ModuleBatch[] = [];
  for (let i = 0; i < events.length; i += size) batches.push(moduleBatch(events.slice(i, i + size), new Date(sentAt.getTime() + i)));
  return batches;
}
