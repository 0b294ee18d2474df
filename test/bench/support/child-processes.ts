/**
 * The processes a benchmark starts (load generators, services, receivers) die with it: on a normal
 * exit, on Ctrl-C / SIGTERM and on a crash, through the testkit's exit-time cleanup — the same hook
 * that stops its nats-server and PostgreSQL.
 */
import { fork, spawn, type ChildProcess, type ForkOptions, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { registerProcessCleanup } from '@switchboard/testkit';

/** The tsx loader, so a child runs TypeScript in one process (no tsx CLI wrapper in between). */
export const TSX_LOADER = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/**
 * Kills `child` if it is still running when this process exits or is interrupted: SIGKILL by
 * default; SIGTERM for a child that has servers of its own to stop (it then cleans up on its own).
 */
export function killOnExit<C extends ChildProcess>(child: C, signal: NodeJS.Signals = 'SIGKILL'): C {
  const unregister = registerProcessCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
  child.once('exit', unregister);
  return child;
}

/** Removes `dir` when this process exits or is interrupted (and returns a function that does it now). */
export function removeOnExit(dir: string): () => void {
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = registerProcessCleanup(remove);
  return () => {
    unregister();
    remove();
  };
}

/** `fork` of a TypeScript module with the tsx loader, killed with this process. */
export function forkTs(module: string, args: string[], options: ForkOptions = {}): ChildProcess {
  return killOnExit(fork(module, args, { execArgv: ['--import', TSX_LOADER], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options }));
}

/** `spawn` of `node --import tsx <module>`, killed with this process. */
export function spawnTs(module: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return killOnExit(spawn(process.execPath, ['--import', TSX_LOADER, module, ...args], options));
}

/** Resolves with the child's exit code (a signal counts as 1), and at once when it already exited. */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(1);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? 1;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await done;
  clearTimeout(timer);
  return code;
}

/** The first IPC message of a forked child; rejects if it exits before sending one. */
export function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code ?? 'signal'}) before answering`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
    child.once('error', reject);
  });
}
