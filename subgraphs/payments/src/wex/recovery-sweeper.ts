import type { Logger, Runnable } from '@switchboard/kit';
import type { VirtualCardIssuer } from './card-issuer.js';

/**
 * Recovery after a process died, run by every replica: WEX calls that never finished are settled
 * as `unknown` (Odoo gets the error forward) so none waits forever. (Overdue deliveries are woken
 * again by the kit's delivery worker.)
 */
export function recoverySweeper(issuer: VirtualCardIssuer, logger: Logger): Runnable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const intervalMs = Math.min(issuer.issuingLeaseMs, 30_000);
  const sweep = () => {
    running = issuer
      .expireStaleCalls()
      .then((expired) => {
        if (expired > 0) logger.warn({ count: expired }, 'unfinished WEX calls settled as unknown');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'WEX recovery sweep failed; will try again'));
  };
  return {
    name: 'payments-wex-recovery',
    async start() {
      sweep();
      timer = setInterval(sweep, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
