/**
 * Last-resort cleanup of processes and temp dirs the testkit started, for when a
 * test never calls stop(): runs synchronously when the process exits, and on
 * SIGTERM/SIGINT/SIGHUP (vitest stops its fork workers with SIGTERM, then
 * SIGKILL after 500 ms, and a signal-killed process never emits 'exit').
 * Nothing can run on SIGKILL: whatever is still up then is leaked.
 */

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

function runAll(): void {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Nobody else handles it: restore the default action (terminate by that signal).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Register a synchronous cleanup run at process exit or on a terminating
 * signal; returns a function that unregisters it (call it from stop()).
 */
export function registerProcessCleanup(fn: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Block the thread for `ms` milliseconds (only for exit-time cleanup). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while a process with this pid exists (and may be signalled by us). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
