/**
 * The server processes of test/bench/gateway.ts: each one a plain `node` process (as in
 * production), its output in a log file (a terminal or a pipe to this process would put our own
 * reading on the measured path), watched for readiness over HTTP, measured from /proc, and killed
 * whatever way the benchmark ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerProcessCleanup } from '@switchboard/testkit';

export interface NodeProcessOptions {
  name: string;
  /** The JavaScript entry point (a bundle: no loader). */
  script: string;
  env: Record<string, string>;
  /** Node flags, e.g. the production `--max-old-space-size`. */
  nodeArgs?: string[];
  /** Answers 200 once the process is ready to serve. */
  readyUrl: string;
  logDir: string;
  startTimeoutMs?: number;
}

export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  /** Peak resident set size so far (the kernel's high-water mark), in MB; NaN where /proc is missing. */
  peakRssMb(): number;
  /** Current resident set size, in MB. */
  rssMb(): number;
  /** The last lines the process wrote. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const logFile = join(options.logDir, `${options.name}.log`);
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.logDir, ...options.env },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const unregister = registerProcessCleanup(() => void child.kill('SIGKILL'));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      unregister();
      resolve();
    }),
  );
  const logTail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const statusKb = (field: 'VmHWM' | 'VmRSS') => {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : NaN;
    } catch {
      return NaN;
    }
  };

  const handle: NodeProcess = {
    name: options.name,
    pid: child.pid!,
    peakRssMb: () => statusKb('VmHWM') / 1024,
    rssMb: () => statusKb('VmRSS') / 1024,
    logTail,
    async stop(graceMs = 10_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited (${exitCode}) before it was ready:\n${logTail()}`);
    }
    if (await answers200(options.readyUrl)) return handle;
    if (Date.now() > deadline) {
      await handle.stop(1_000);
      throw new Error(`${options.name} not ready at ${options.readyUrl} within ${options.startTimeoutMs ?? 60_000} ms:\n${logTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
