import type { Runnable } from '@switchboard/kit';
import type { BillingDeps } from '../deps.js';
import { rateOpenPeriods } from './invoicing.js';

/**
 * Rates open periods every BILLING_RATING_INTERVAL_MS (hourly, like the seed's cron): closes and
 * issues ended periods, refreshes drafts, catches thresholds that concurrent pushes left behind.
 * Runs once shortly after start; never overlaps itself.
 */
export function ratingWorker(deps: BillingDeps): Runnable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const run = () => {
    if (running || stopped) return;
    running = rateOpenPeriods(deps)
      .then((summary) => {
        if (summary.invoicesIssued || summary.failed.length || summary.thresholdsAnnounced) deps.logger.info({ summary }, 'rated open billing periods');
      })
      .catch((error) => deps.logger.error({ err: error }, 'rating open periods failed; will try again'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name: 'billing-rating',
    async start() {
      stopped = false;
      timer = setInterval(run, deps.billing.ratingIntervalMs);
      timer.unref();
      setTimeout(run, 5_000).unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
