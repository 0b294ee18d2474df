import type { Runnable } from '@switchboard/kit';
import type { HelpdeskDeps } from '../deps.js';
import { sendDueReminders } from './approval-service.js';

/** Scans for approvals due their single reminder every HELPDESK_APPROVAL_SCAN_INTERVAL_MS. */
export function reminderWorker(deps: HelpdeskDeps): Runnable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const scan = async () => {
    try {
      const sent = await sendDueReminders(deps);
      if (sent > 0) deps.logger.info({ sent }, 'approval reminders queued');
    } catch (error) {
      deps.logger.error({ err: error }, 'approval reminder scan failed; will try again');
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = scan().finally(() => {
        running = undefined;
        schedule(deps.helpdesk.HELPDESK_APPROVAL_SCAN_INTERVAL_MS);
      });
    }, ms);
    timer.unref();
  };
  return {
    name: 'helpdesk-approval-reminders',
    async start() {
      if (deps.helpdesk.HELPDESK_APPROVAL_REMINDER_DAYS <= 0) return;
      stopped = false;
      schedule(5_000);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
