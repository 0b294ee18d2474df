import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
// One process, as in production (the tsx CLI would add a wrapper process between us and node).
const tsxLoader = new URL('node_modules/tsx/dist/loader.mjs', new URL('../../', import.meta.url)).href;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(entry: string, env: Record<string, string>, untilOutput?: RegExp) {
  const child = spawn(process.execPath, ['--import', tsxLoader, join(root, entry)], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const seen = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (untilOutput?.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, seen, exited, output: () => output };
}

// Each test starts a Node process that transpiles the service from source: allow a cold, busy machine.
describe('production entry points', { timeout: 120_000 }, () => {
  it('a subgraph with a bad variable exits 1 and names it', async () => {
    const proc = run('subgraphs/commerce/src/main.ts', { DATABASE_URL: 'mysql://nope', PORT: 'eighty' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
    expect(proc.output()).toMatch(/PORT: /);
    expect(proc.output()).toMatch(/GATEWAY_SIGNING_SECRET: is required/);
    expect(proc.output()).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('the gateway with no way to authenticate callers exits 1 and says which variables', async () => {
    const proc = run('gateway/src/main.ts', { GATEWAY_SIGNING_SECRET: 'a-long-enough-signing-secret' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/JWT_SECRET/);
  });

  it('a subgraph in production mode refuses to start without NATS_URL', async () => {
    const proc = run('subgraphs/billing/src/main.ts', {
      NODE_ENV: 'production',
      GATEWAY_SIGNING_SECRET: 'a-long-enough-signing-secret',
      DATABASE_URL: `sqlite:${join(dir, 'prod.sqlite')}`,
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/NATS_URL is required in production/);
  });

  it('a subgraph stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = run(
      'subgraphs/helpdesk/src/main.ts',
      { GATEWAY_SIGNING_SECRET: 'a-long-enough-signing-secret', DATABASE_URL: `sqlite:${join(dir, 'helpdesk.sqlite')}`, PORT: String(port), HOST: '127.0.0.1' },
      /subgraph listening/,
    );
    await proc.seen;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/helpdesk subgraph stopped/);
  });
});
