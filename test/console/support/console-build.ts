import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONSOLE_DIST = join(REPO_ROOT, 'console', 'dist');

/** Newest modification time under `path` (files only; node_modules and dist skipped). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'generated.ts') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * Builds the console (codegen against supergraph.graphql, typecheck, vite build) unless
 * console/dist is newer than every source it comes from — `pnpm test` builds it first, a test
 * run on its own builds it here.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIST, 'index.html');
  const sources = ['src', 'scripts', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(REPO_ROOT, 'console', p));
  const newestSource = Math.max(...sources.filter(existsSync).map(newestMtime), statSync(join(REPO_ROOT, 'supergraph.graphql')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return;
  execFileSync('pnpm', ['--filter', '@switchboard/console', 'build'], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 240_000 });
}
