import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output matches (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  /** SIGTERM (if still running) and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node <args>` as a real child process with only the given environment (plus PATH/HOME),
 * the way a container starts it: no inherited test variables.
 */
export function runNode(args: string[], options: { env: Record<string, string>; cwd: string }): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      for (const listener of listeners) listener();
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    // Generous: a cold start transpiles the whole service, and CI machines may be busy.
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const check = () => {
          if (pattern.test(output)) finish();
          else if (exitCode !== undefined) finish(new Error(`process exited (${exitCode}) before output matched ${pattern}:\n${output}`));
        };
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}
