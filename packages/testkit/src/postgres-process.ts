import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Helpers shared by the throwaway cluster (`postgres.ts`) and the restartable one (`postgres-cluster.ts`). */

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a PostgreSQL tool (initdb, pg_ctl…) to its end, stdout and stderr collected together. */
export function run(cmd: string, args: string[], opts: SpawnOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
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
