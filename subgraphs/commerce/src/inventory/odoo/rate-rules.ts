/**
 * The shared limiter keeps `slots` call slots per key; a slot can be taken again only `windowMs`
 * after the call that last used it *ended*. Any `slots + 1` calls then include two on the same
 * slot, whose arrivals at Odoo are at least `windowMs` apart: no window of one second ever sees
 * more than `slots` calls, however late a request leaves or a response comes back.
 */
export function slotWindow(callsPerSecond: number, guardMs: number): { slots: number; windowMs: number } {
  const slots = Math.max(1, Math.floor(callsPerSecond));
  // 2.5/s → 2 slots per 800 ms; 0.5/s → 1 slot per 2 s; 20/s → 20 slots per second.
  return { slots, windowMs: (slots * 1000) / callsPerSecond + guardMs };
}
