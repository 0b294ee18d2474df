import { defineConfig } from 'vitest/config';

// One config for the whole workspace: `pnpm test` runs `vitest run` from the repo root.
export default defineConfig({
  test: {
    include: [
      'packages/*/**/test/**/*.test.ts',
      'gateway/**/test/**/*.test.ts',
      'subgraphs/*/**/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/bench/**'],
    environment: 'node',
    // Child processes (not worker threads): tests spawn servers and use native addons
    // (better-sqlite3), and a crashing test file cannot take the others down.
    pool: 'forks',
    // CI and dev machines have 2 cores; real servers (NATS, Postgres) run beside the workers.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
