import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finding the server binaries the testkit starts (nats-server, PostgreSQL's initdb and pg_ctl). */

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directories of $PATH, in order. */
export function pathDirs(): string[] {
  return (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
}

/** The first of `dirs` that holds every one of `programs` as an executable, or undefined. */
export function dirWithPrograms(dirs: string[], programs: string[]): string | undefined {
  return dirs.find((dir) => programs.every((program) => isExecutable(join(dir, program))));
}
