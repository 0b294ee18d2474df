import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowLedger } from './load.js';
import { compare, type EffectResult } from './report.js';
import { SERVICES, type ChaosSystem } from './system.js';

/** Every flow's effects, counted for every request sent and compared with the ledger. */
export async function countEffects(ledgers: FlowLedger[]): Promise<EffectResult[]> {
  const results: EffectResult[] = [];
  for (const ledger of ledgers) {
    const keys = [...ledger.sent.keys()];
    for (const effect of ledger.flow.effects) results.push(compare(ledger, effect.name, await effect.count(keys)));
  }
  return results;
}

export const total = (results: EffectResult[], field: 'lost' | 'duplicated' | 'found' | 'expected') => results.reduce((sum, r) => sum + r[field], 0);

/**
 * Bounded wait for the backlog to drain: until no effect is missing (then a few seconds more, for
 * late duplicates), or until nothing has changed for `quietSeconds` (longer than the longest retry
 * backoff, so a retry that is merely waiting is not taken for a loss), or `timeoutSeconds`.
 */
export async function settle(
  ledgers: FlowLedger[],
  options: { quietSeconds: number; timeoutSeconds: number; log: (line: string) => void },
): Promise<{ results: EffectResult[]; seconds: number; reason: string }> {
  const start = Date.now();
  let lastReport = 0;
  let completeSince: number | undefined;
  let lastFound = -1;
  let lastProgress = start;
  for (;;) {
    let results: EffectResult[];
    try {
      results = await countEffects(ledgers);
    } catch (error) {
      options.log(`counting effects failed (${(error as Error).message}); trying again`);
      await sleep(2_000);
      continue;
    }
    const lost = total(results, 'lost');
    const found = total(results, 'found');
    const now = Date.now();
    const seconds = (now - start) / 1000;
    if (found !== lastFound) {
      lastFound = found;
      lastProgress = now;
    }
    if (lost === 0) completeSince ??= now;
    else completeSince = undefined;
    if (completeSince !== undefined && now - completeSince >= 5_000) return { results, seconds, reason: 'every effect found' };
    if (now - lastProgress > options.quietSeconds * 1000) return { results, seconds, reason: `no progress for ${options.quietSeconds} s` };
    if (seconds > options.timeoutSeconds) return { results, seconds, reason: `--settle-timeout ${options.timeoutSeconds} s reached` };
    if (now - lastReport > 10_000) {
      lastReport = now;
      const missing = results.filter((r) => r.lost > 0).map((r) => `${r.flow}/${r.effect}: ${r.lost}`);
      options.log(`settling: ${lost} effects still missing${missing.length ? ` (${missing.join('; ')})` : ''}`);
    }
    await sleep(2_000);
  }
}

/** What the services themselves say went wrong: dead letters, unpublished outbox rows, crashes. */
export async function diagnostics(system: ChaosSystem): Promise<string[]> {
  const lines: string[] = [];
  for (const name of SERVICES) {
    try {
      const dead = await system.query<{ consumer: string; event_type: string; n: string; error: string }>(
        name,
        "select consumer, event_type, count(*) as n, max(error) as error from dead_letter where status = 'dead' group by 1, 2",
      );
      for (const row of dead) lines.push(`${name}: ${row.n} dead letter(s) of ${row.consumer} on ${row.event_type}: ${row.error.slice(0, 200)}`);
      const [outbox] = await system.query<{ n: string }>(name, 'select count(*) as n from outbox_event where published_at is null');
      if (Number(outbox!.n) > 0) lines.push(`${name}: ${outbox!.n} outbox event(s) never published`);
    } catch (error) {
      lines.push(`${name}: could not read diagnostics: ${(error as Error).message}`);
    }
    for (const exit of system.service(name).unexpectedExits) lines.push(`unexpected exit: ${exit}`);
  }
  return lines;
}

/** The last errors each service logged (from the tail kept in memory). */
export function errorLines(system: ChaosSystem): string[] {
  const lines: string[] = [];
  for (const service of system.services.values()) {
    const errors = service.output().split('\n').filter((line) => /"level":(50|60)/.test(line));
    for (const line of errors.slice(-5)) lines.push(`${service.name}: ${line.slice(0, 400)}`);
  }
  return lines;
}
