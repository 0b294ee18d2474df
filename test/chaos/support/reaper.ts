import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Cleanup that survives the run being killed. Exit-time hooks cannot be relied on here: under
 * `pnpm exec tsx`, Ctrl-C makes pnpm exit, tsx then relays SIGTERM and SIGKILLs the run within
 * ~60 ms if it does not answer — while it is busy waiting for PostgreSQL to go down. So a small
 * detached watchdog learns what the run starts (processes, the PostgreSQL data dir, temp dirs)
 * and, when the run's IPC channel closes without a release, kills and removes all of it.
 */
export class Reaper {
  private constructor(private readonly child: ChildProcess) {}

  static start(): Reaper {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./reaper-process.mjs', import.meta.url))], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    // Neither the process nor its channel keeps the run alive.
    child.unref();
    child.channel?.unref();
    return new Reaper(child);
  }

  private send(message: Record<string, unknown>): void {
    if (this.child.connected) this.child.send(message);
  }

  /** SIGKILL this process if the run dies. */
  process(pid: number | undefined): void {
    if (pid !== undefined) this.send({ op: 'pid', pid });
  }

  /** It exited: its pid may be reused by someone else's process. */
  forgetProcess(pid: number | undefined): void {
    if (pid !== undefined) this.send({ op: 'forget-pid', pid });
  }

  /** Shut this cluster down (immediate) if the run dies; its postmaster pid is read then. */
  postgres(dataDir: string): void {
    this.send({ op: 'postgres', dataDir });
  }

  /** Remove this directory if the run dies (after the processes are gone). */
  directory(path: string): void {
    this.send({ op: 'dir', path });
  }

  /** The run cleaned up after itself: the watchdog leaves without doing anything. */
  release(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.child.connected) return resolve();
      this.child.send({ op: 'release' }, () => {
        if (this.child.connected) this.child.disconnect();
        resolve();
      });
    });
  }
}
