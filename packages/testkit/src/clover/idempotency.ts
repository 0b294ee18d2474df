import type { EmulatorRequest, EmulatorResponse } from './http.js';
import type { CloverEmulatorState } from './state.js';

/**
 * Same `Idempotency-Key` (per merchant) → the first answer again, even while the first request is
 * still being worked on (a concurrent duplicate waits for it). Nothing happens twice.
 */
export async function idempotent(
  state: CloverEmulatorState,
  merchantId: string,
  request: EmulatorRequest,
  work: () => Promise<EmulatorResponse> | EmulatorResponse,
): Promise<EmulatorResponse> {
  const key = request.headers['idempotency-key'];
  if (!key) return work();
  const slot = `${merchantId}:${key}`;
  const earlier = state.idempotent.get(slot);
  if (earlier) {
    const answer = await earlier;
    return { status: answer.status, body: answer.body, headers: { 'idempotent-replayed': 'true' } };
  }
  let destroy = false;
  const produced = (async () => {
    const response = await work();
    destroy = response.destroy === true;
    // A dropped connection still did its work: a retry with the key gets the real answer.
    return { status: response.status, body: response.body };
  })();
  state.idempotent.set(slot, produced);
  try {
    const answer = await produced;
    return destroy ? { ...answer, destroy: true } : answer;
  } catch (error) {
    state.idempotent.delete(slot);
    throw error;
  }
}
