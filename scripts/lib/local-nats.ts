import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';

/** Path of an installed `nats-server`, if any. */
export function installedNatsServer(): string | undefined {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server']) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
      .once('error', () => done(false))
      .once('listening', () => server.close(() => done(true)))
      .listen(port, '127.0.0.1');
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((done, fail) => {
    const attempt = () => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        done();
      });
      socket.once('error', () => {
        if (Date.now() > deadline) fail(new Error(`nats-server did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Starts a JetStream-enabled `nats-server` storing under `dataDir`, for the all-in-one launcher. */
export async function startLocalNats(binary: string, dataDir: string, preferredPort = 4222): Promise<{ url: string; process: ChildProcess }> {
  let port = preferredPort;
  while (!(await portIsFree(port))) port++;
  const storeDir = resolve(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
  // However the launcher ends (a crash included), the server it started goes with it.
  process.once('exit', () => child.kill('SIGTERM'));
  await waitForPort(port, 10_000);
  return { url: `nats://127.0.0.1:${port}`, process: child };
}
