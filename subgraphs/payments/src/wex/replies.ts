import type { ErrorResult, SuccessResult } from './legacy-payloads.js';

/** An HTTP answer of the legacy routes. */
export interface Reply {
  httpStatus: number;
  body: SuccessResult | ErrorResult | ProblemBody | AckBody;
}

/** Problems with the call itself, in the legacy proxy's `{ error, message }` shape. */
export interface ProblemBody {
  error: string;
  message?: string;
  /** The request field that is wrong (legacy name), when one is. */
  field?: string;
  payment_id?: string;
}

export interface AckBody {
  status: 'acknowledged';
  payment_id: string;
}

export const problem = (httpStatus: number, error: string, message: string, extra: Omit<ProblemBody, 'error' | 'message'> = {}): Reply => ({
  httpStatus,
  body: { error, message, ...extra },
});
