import type { DeliveryRowFragment } from '../graphql/generated';

export type DeliveryOutcome = 'succeeded' | 'failed' | 'in progress';

/** Where a delivery stands, for the success-rate chart. */
export function outcomeOf(status: string): DeliveryOutcome {
  if (status === 'delivered' || status === 'acknowledged') return 'succeeded';
  if (status === 'exhausted' || status === 'cancelled') return 'failed';
  return 'in progress';
}

export interface ServiceDeliveryStats {
  service: string;
  succeeded: number;
  failed: number;
  inProgress: number;
  /** Succeeded among the finished ones, 0–100; undefined when none has finished. */
  successRate: number | undefined;
}

export function deliveryStats(service: string, rows: readonly DeliveryRowFragment[]): ServiceDeliveryStats {
  const count = (outcome: DeliveryOutcome) => rows.filter((r) => outcomeOf(r.status) === outcome).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const finished = succeeded + failed;
  return { service, succeeded, failed, inProgress: count('in progress'), successRate: finished ? (succeeded / finished) * 100 : undefined };
}
