import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerProcessCleanup } from '@switchboard/testkit';
import type { Reaper } from './reaper.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// One process per service, as in production (the tsx CLI would put a wrapper process in between,
// and kill -9 must hit the service itself).
const tsxLoader = new URL('node_modules/tsx/dist/loader.mjs', new URL('../../../', import.meta.url)).href;

/** Output kept in memory per service (the tail; the full log goes to the log file). */
const TAIL_BYTES = 64 * 1024;

/**
 * One subgraph as its own Node process, from its production entry point (`src/main.ts`), on a
 * fixed port that survives restarts so callers keep the same URL. Exit-time cleanup kills it
 * whatever way this process ends (Ctrl-C, an exception).
 */
export class SubgraphProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  private log: WriteStream;
  private readonly unregister: () => void;
  /** Exits we did not cause (crashes), with their output tail. */
  readonly unexpectedExits: string[] = [];
  private expectingExit = false;
  starts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly workDir: string,
    private readonly reaper: Reaper,
  ) {
    this.log = createWriteStream(join(workDir, `${name}.log`), { flags: 'a' });
    this.unregister = registerProcessCleanup(() => {
      try {
        this.child?.kill('SIGKILL');
      } catch {
        /* gone */
      }
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  output(): string {
    return this.tail;
  }

  /** Start and wait until `/readyz` answers 200 (database, bus and migrations in order). */
  async start(timeoutMs = 180_000): Promise<void> {
    if (this.child) return;
    this.starts++;
    this.expectingExit = false;
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, `subgraphs/${this.name}/src/main.ts`)], {
      cwd: this.workDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? this.workDir,
        TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'),
        PORT: String(this.port),
        HOST: '127.0.0.1',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.reaper.process(child.pid);
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail += chunk.toString('utf8');
      if (this.tail.length > TAIL_BYTES) this.tail = this.tail.slice(-TAIL_BYTES);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        this.reaper.forgetProcess(child.pid);
        if (!this.expectingExit) this.unexpectedExits.push(`${this.name} exited (code ${code}, signal ${signal}):\n${this.tail.slice(-4000)}`);
        resolve();
      });
    });

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`${this.name} exited while starting:\n${this.tail.slice(-4000)}`);
      try {
        const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.tail.slice(-4000)}`);
  }

  /** kill -9: no shutdown hook runs, in-flight requests and handlers die with it. */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.expectingExit = true;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful drain), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 40_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    this.unregister();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
