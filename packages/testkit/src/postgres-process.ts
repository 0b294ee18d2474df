import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, sleepSync } from './cleanup.js';
import { freePort } from './ports.js';

/** Helpers shared by the throwaway cluster (`postgres.ts`) and the restartable one (`postgres-cluster.ts`). */

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a PostgreSQL tool (initdb, pg_ctl…) to its end, stdout and stderr collected together. */
function run(cmd: string, args: string[], opts: SpawnOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * Runs the PostgreSQL tool `tool` of `binDir` in `dir` with the C locale and no inherited PGDATA,
 * as the `postgres` OS user (`user`, its HOME being `dir`) when this process is root.
 */
export function runTool(binDir: string, tool: string, args: string[], dir: string, user: { uid: number; gid: number } | undefined): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  delete env['PGDATA'];
  const opts: SpawnOptions = { env, cwd: dir };
  if (user) {
    opts.uid = user.uid;
    opts.gid = user.gid;
    env['HOME'] = dir;
    env['USER'] = env['LOGNAME'] = 'postgres';
  }
  return run(join(binDir, tool), args, opts);
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** uid/gid of the `postgres` OS user from /etc/passwd (PostgreSQL refuses to run as root), or undefined. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'postgres' && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    /* no /etc/passwd */
  }
  return undefined;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Synchronous immediate shutdown for process exit or a terminating signal: SIGQUIT to the
 * postmaster of `dataDir`, then wait up to `waitMs` for it to go. Does nothing when it is not running.
 */
export function quitPostmasterSync(dataDir: string, waitMs: number): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) {
      process.kill(pid, 'SIGQUIT');
      for (let waited = 0; waited < waitMs && processAlive(pid); waited += 10) sleepSync(10);
    }
  } catch {
    /* not running */
  }
}

/**
 * A new cluster in a fresh temp dir (`<prefix>…`): initdb once, then start on a free port, with
 * another port when that one was taken between freePort() and the bind. The dir is removed when
 * that fails. With `user` (this process is root) the dir belongs to that user and lies under /tmp,
 * world-traversable, rather than a possibly private TMPDIR.
 */
export async function initAndStartCluster<C>(
  prefix: string,
  user: { uid: number; gid: number } | undefined,
  cluster: { initdb(baseDir: string): Promise<void>; start(baseDir: string, port: number): Promise<C> },
): Promise<C> {
  const baseDir = await mkdtemp(join(user ? '/tmp' : tmpdir(), prefix));
  if (user) await chown(baseDir, user.uid, user.gid);
  try {
    await cluster.initdb(baseDir);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await cluster.start(baseDir, await freePort());
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}
