/**
 * How fast a Clover call fails when both OAuth tokens are corrupt (the seed's "recursive 401
 * prevention": 0.77 s, no loop), and what a 401 → refresh → retry costs when the refresh works.
 *
 *   pnpm exec tsx subgraphs/payments/test/clover/bench/token-failure.ts [rounds]
 */
import { CloverTestEnvironment, connected, corruptTokens } from '../support.js';

const rounds = Number(process.argv[2] ?? 50);
const SYNC = `mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { id } }`;

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${label.padEnd(46)} n=${samples.length}  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  max ${sorted.at(-1)!.toFixed(1)} ms`);
}

const env = await new CloverTestEnvironment({ bus: 'in-process' }).start();
try {
  const client = await env.service(await env.databaseUrl('sqlite'), { LOG_LEVEL: 'silent' });
  const corrupt: number[] = [];
  const recovered: number[] = [];
  let refreshCalls = 0;
  for (let round = 0; round < rounds; round++) {
    const { id } = await connected(client, env.emulator);

    env.emulator.control.reset();
    env.emulator.control.expireAccessTokens();
    let started = performance.now();
    const ok = await client.graphql(SYNC, { id });
    recovered.push(performance.now() - started);
    if (ok.body.errors) throw new Error(JSON.stringify(ok.body.errors));

    await corruptTokens(client, id);
    env.emulator.control.reset();
    started = performance.now();
    const failed = await client.graphql(SYNC, { id });
    corrupt.push(performance.now() - started);
    if (failed.body.errors?.[0]?.extensions?.code !== 'CLOVER_REAUTHORIZATION_REQUIRED') throw new Error(`unexpected: ${JSON.stringify(failed.body)}`);
    refreshCalls += env.emulator.control.refreshAttempts;
  }
  console.log(`Clover token failure handling, ${rounds} rounds (emulator on loopback, SQLite)`);
  summary('both tokens corrupt → clean failure', corrupt);
  summary('access token rejected → refresh → retry → ok', recovered);
  console.log(`refresh attempts per corrupt-token failure: ${refreshCalls / rounds} (must be 1)`);
  console.log('seed figure: 0.77 s for the corrupt-token failure (Odoo against the real sandbox)');
} finally {
  await env.stop();
}
