import type { Database, Logger, Runnable } from '@switchboard/kit';
import { CloverWebhook } from './clover-webhook.js';

const SWEEP_EVERY_MS = 10 * 60_000;

/** Drops rejected webhooks (reason and size only) once they are older than the retention. */
export function rejectedRetention(db: Database, retentionMs: number, logger: Logger): Runnable {
  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    const deleted = await db.em().nativeDelete(CloverWebhook, { status: 'rejected', receivedAt: { $lt: new Date(Date.now() - retentionMs) } });
    if (deleted > 0) logger.info({ deleted }, 'old rejected clover webhooks removed');
  };
  return {
    name: 'clover-webhook-retention',
    async start() {
      timer = setInterval(() => sweep().catch((error) => logger.warn({ err: (error as Error).message }, 'clover webhook retention sweep failed')), SWEEP_EVERY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
