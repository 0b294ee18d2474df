import { terminalPaymentChanges } from '../clover/charges/outcomes.js';
import type { PaymentChanges } from '../clover/charges/payment-recorder.js';
import type { PlatformPayment } from '../clover/index.js';

export type SyncDecision =
  | { action: 'transition'; from: string[]; changes: PaymentChanges & { status: string } }
  | { action: 'none'; outcome: 'in_sync' | 'mismatch'; detail?: string };

/**
 * What a Platform API payment means for our payment of status `status` (pure).
 * - pending: Clover knows the outcome we missed (a lost answer, a terminal that finished late);
 * - voided at Clover (e.g. from the dashboard) while ours is succeeded/authorized/pending: voided;
 * - a settled payment that Clover contradicts is never flipped automatically: money may have
 *   moved in a way our ledger does not show, so it is reported as a `mismatch` for a person.
 */
export function decideSync(status: string, platform: PlatformPayment): SyncDecision {
  if (platform.voided) {
    if (status === 'voided') return { action: 'none', outcome: 'in_sync' };
    if (status === 'succeeded' || status === 'authorized' || status === 'pending') {
      return { action: 'transition', from: [status], changes: { status: 'voided', providerPaymentId: platform.id } };
    }
    return { action: 'none', outcome: 'mismatch', detail: `Clover says voided, ours is ${status}` };
  }
  if (status === 'pending') {
    const changes = terminalPaymentChanges(platform);
    return { action: 'transition', from: ['pending'], changes };
  }
  const succeededHere = ['succeeded', 'authorized', 'partially_refunded', 'refunded'].includes(status);
  if (platform.result === 'SUCCESS' && !succeededHere) return { action: 'none', outcome: 'mismatch', detail: `Clover says SUCCESS, ours is ${status}` };
  if (platform.result !== undefined && platform.result !== 'SUCCESS' && succeededHere) {
    return { action: 'none', outcome: 'mismatch', detail: `Clover says ${platform.result}, ours is ${status}` };
  }
  return { action: 'none', outcome: 'in_sync' };
}
