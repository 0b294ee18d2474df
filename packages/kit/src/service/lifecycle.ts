import type { Logger } from 'pino';

/** Anything the launcher or a `main.ts` can start and stop: a subgraph, the gateway, a worker. */
export interface Runnable {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting work, finish what is in flight, release resources. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the runnables in order and stops them in reverse order on SIGTERM / SIGINT.
 * A second signal, or the timeout, forces the exit so a stuck handler cannot block a rollout.
 */
export async function runUntilSignal(
  runnables: Runnable[],
  logger: Logger,
  options: { timeoutMs?: number; onStarted?: () => void } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 25_000;
  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let failed = false;
    for (const runnable of [...runnables].reverse()) {
      try {
        await runnable.stop();
      } catch (error) {
        failed = true;
        logger.error({ err: error, runnable: runnable.name }, 'error while stopping');
      }
    }
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  process.on('SIGINT', () => void stopAll('SIGINT'));
  for (const runnable of runnables) await runnable.start();
  options.onStarted?.();
}
