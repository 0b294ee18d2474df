import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerProcessCleanup } from '@switchboard/testkit';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface WorkerProcess {
  url: string;
  pid: number;
  /** Everything the process printed (pino JSON lines), for diagnostics. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs the commerce subgraph's production entry point (`src/main.ts`) as a separate OS process:
 * a real second replica, sharing only what replicas share in production (database, NATS).
 */
export async function startCommerceProcess(env: Record<string, string>, startTimeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/commerce/src/main.ts'], {
    cwd: REPO_ROOT,
    // At info level: the start-up line carries the URL it listens on.
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = registerProcessCleanup(() => child.kill('SIGKILL'));
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`commerce process did not start within ${startTimeoutMs} ms:\n${output.slice(-4000)}`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /"url":"(http:\/\/[^"]+)"[^\n]*subgraph listening/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`commerce process exited during start-up:\n${output.slice(-4000)}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
      unregister();
    },
  };
}
