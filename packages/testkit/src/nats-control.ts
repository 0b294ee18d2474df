import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsServerHandle } from './nats.js';

/**
 * Stop a server started with startNats() gracefully (SIGTERM: JetStream flushes its store) and
 * leave it down — a NATS outage, for chaos runs. The store dir is kept; `handle.restart()` starts
 * the server again on the same port with the same store. SIGKILL after `timeoutMs`.
 */
export async function stopNatsServer(handle: NatsServerHandle, timeoutMs = 10_000): Promise<void> {
  const pid = handle.pid;
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (handle.pid !== undefined) {
    if (Date.now() > deadline) {
      await handle.kill();
      return;
    }
    await sleep(20);
  }
}
