import { Decimal } from '@switchboard/kit';
import { FIELD, type ProxyRequest } from './proxy-request.js';
import type { VirtualCardStatus } from './virtual-card.js';

/** What is stored of an earlier request with the same `x_name`. */
export interface EarlierRequest {
  status: VirtualCardStatus;
  odooRequestId: string;
  vendorName: string;
  amountValue: string;
  invoiceNumber: string;
  employeeName?: string | null;
  /** Start of the WEX call while `issuing`. */
  updatedAt: Date;
}

export type RepeatDecision =
  /** Answer what the first request was answered; nothing is called or forwarded again. */
  | { action: 'replay' }
  /** The same payment id with different details while a card exists (or may): refuse. */
  | { action: 'conflict'; field: string }
  /** The first request is still waiting for WEX: wait for its answer. */
  | { action: 'wait' }
  /** The first request's WEX call never finished (the process died): it becomes `unknown`. */
  | { action: 'expire' }
  /** Nothing was issued for the earlier request: ask WEX again. */
  | { action: 'retry' };

/** The first field (legacy name) where the new request differs from the earlier one. */
export function differingField(earlier: EarlierRequest, request: ProxyRequest): string | undefined {
  if (earlier.odooRequestId !== JSON.stringify(request.requestId)) return FIELD.requestId;
  if (earlier.vendorName !== request.vendorName) return FIELD.vendorName;
  if (!new Decimal(earlier.amountValue).equals(request.amount)) return FIELD.amount;
  if (earlier.invoiceNumber !== request.invoiceNumber) return FIELD.invoiceNumber;
  if ((earlier.employeeName ?? null) !== request.employeeName) return FIELD.employeeName;
  return undefined;
}

/**
 * Pure: what to do when a `/proxy` request arrives for an `x_name` seen before. The key is
 * `x_name` because it is what Odoo acknowledges by — one payment id, one card, one delivery.
 */
export function decideRepeat(earlier: EarlierRequest, request: ProxyRequest, now: number, issuingLeaseMs: number): RepeatDecision {
  const differs = differingField(earlier, request);
  switch (earlier.status) {
    case 'issuing':
      if (differs) return { action: 'conflict', field: differs };
      return now - earlier.updatedAt.getTime() > issuingLeaseMs ? { action: 'expire' } : { action: 'wait' };
    case 'issued':
    case 'unknown':
      return differs ? { action: 'conflict', field: differs } : { action: 'replay' };
    case 'declined':
      // WEX's answer to these details is known; corrected details are a new question.
      return differs ? { action: 'retry' } : { action: 'replay' };
    case 'failed':
      return { action: 'retry' };
  }
}
