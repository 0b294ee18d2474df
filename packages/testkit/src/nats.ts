import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerProcessCleanup } from './cleanup.js';
import { dirWithPrograms, isExecutable, pathDirs } from './executables.js';
import { freePort } from './ports.js';

const NOT_INSTALLED = 'nats-server not installed: apt-get install -y nats-server';
const FALLBACK_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin', '/sbin', '/bin'];

export interface StartNatsOptions {
  /** Client port; a free one is picked when omitted. */
  port?: number;
  /** Monitoring (HTTP) port used for readiness checks; a free one is picked when omitted. */
  monitorPort?: number;
  /** Explicit path of the nats-server binary (default: env NATS_SERVER_BIN, then PATH, then /usr/sbin). */
  binary?: string;
  /** Extra command-line arguments appended to the defaults. */
  args?: string[];
  /** How long to wait for the server to become ready (default 20 s). */
  startTimeoutMs?: number;
  /** Echo the server's output to this process's stderr (default: env TESTKIT_NATS_DEBUG is set). */
  debug?: boolean;
}

export interface NatsServerHandle {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** JetStream store directory (`-sd`); kept across restart() and kill(), removed by stop(). */
  readonly storeDir: string;
  /** PID of the running server, undefined while it is down. */
  readonly pid: number | undefined;
  /** Last ~64 KiB of the server's combined stdout/stderr (all runs). */
  output(): string;
  /** SIGTERM, wait for exit, remove the store dir. Idempotent; also fine after kill(). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (simulated crash). The store dir is kept so restart() can recover it. */
  kill(): Promise<void>;
  /** Stop gracefully (if running) and start again on the same port with the same store dir. */
  restart(): Promise<void>;
}

/** Absolute path of the nats-server binary, or undefined when it cannot be found. */
export function findNatsServer(): string | undefined {
  const fromEnv = process.env['NATS_SERVER_BIN'];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  const dir = dirWithPrograms([...pathDirs(), ...FALLBACK_DIRS], ['nats-server']);
  return dir === undefined ? undefined : join(dir, 'nats-server');
}

/** True when a nats-server binary is available (use with `describe.skipIf(!natsServerAvailable())`). */
export function natsServerAvailable(): boolean {
  return findNatsServer() !== undefined;
}

function tcpReachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function jetStreamHealthy(monitorPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`, {
      signal: AbortSignal.timeout(1000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

const MAX_OUTPUT = 64 * 1024;

class NatsServer implements NatsServerHandle {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private out = '';
  private stopped = false;
  private unregisterCleanup: (() => void) | undefined;

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly monitorPort: number,
    readonly storeDir: string,
    private readonly extraArgs: string[],
    private readonly startTimeoutMs: number,
    private readonly debug: boolean,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  output(): string {
    return this.out;
  }

  private append(chunk: Buffer): void {
    if (this.debug) process.stderr.write(chunk);
    this.out += chunk.toString('utf8');
    if (this.out.length > MAX_OUTPUT) this.out = this.out.slice(-MAX_OUTPUT);
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error('nats-server handle was stopped; start a new one');
    if (this.child) return;
    // Binding the same port right after a stop can race with the old socket; retry a few times.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.spawnOnce();
        return;
      } catch (err) {
        lastError = err;
        await this.forceDown();
        if (!(err instanceof EarlyExitError)) break;
        await sleep(200 * (attempt + 1));
      }
    }
    throw lastError;
  }

  private async spawnOnce(): Promise<void> {
    const args = [
      '-js',
      '-a', '127.0.0.1',
      '-p', String(this.port),
      '-m', String(this.monitorPort),
      '-sd', this.storeDir,
      ...this.extraArgs,
    ];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.unregisterCleanup ??= registerProcessCleanup(() => this.killSync());
    let exitInfo: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `code=${code} signal=${signal}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', (err) => {
        exitInfo = `spawn error: ${err.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    child.stdout?.on('data', (c: Buffer) => this.append(c));
    child.stderr?.on('data', (c: Buffer) => this.append(c));

    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exitInfo !== undefined) {
        throw new EarlyExitError(
          `nats-server exited during startup (${exitInfo}) on port ${this.port}:\n${this.out.slice(-4000)}`,
        );
      }
      if ((await jetStreamHealthy(this.monitorPort)) && (await tcpReachable(this.port))) return;
      await sleep(50);
    }
    throw new Error(
      `nats-server did not become ready within ${this.startTimeoutMs} ms on port ${this.port}:\n${this.out.slice(-4000)}`,
    );
  }

  private async signalAndWait(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      sleep(graceMs).then(() => true),
    ]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async forceDown(): Promise<void> {
    await this.signalAndWait('SIGKILL', 5000);
  }

  async kill(): Promise<void> {
    await this.signalAndWait('SIGKILL', 5000);
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('nats-server handle was stopped; start a new one');
    await this.signalAndWait('SIGTERM', 10_000);
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.signalAndWait('SIGTERM', 10_000);
    this.unregisterCleanup?.();
    this.unregisterCleanup = undefined;
    await rm(this.storeDir, { recursive: true, force: true });
  }

  /** Synchronous best-effort cleanup for process exit / worker termination. */
  private killSync(): void {
    try {
      this.child?.kill('SIGKILL');
    } catch {
      /* ignore */
    }
    try {
      rmSync(this.storeDir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }
}

class EarlyExitError extends Error {}

/**
 * Start a real `nats-server` with JetStream on 127.0.0.1 and a free port, storing
 * JetStream data in a fresh temp dir. Resolves once clients can connect and
 * JetStream reports healthy.
 */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? findNatsServer();
  if (!binary) throw new Error(NOT_INSTALLED);
  const port = options.port ?? (await freePort());
  let monitorPort = options.monitorPort ?? (await freePort());
  while (monitorPort === port) monitorPort = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'testkit-nats-'));
  const server = new NatsServer(
    binary,
    port,
    monitorPort,
    storeDir,
    options.args ?? [],
    options.startTimeoutMs ?? 20_000,
    options.debug ?? Boolean(process.env['TESTKIT_NATS_DEBUG']),
  );
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
