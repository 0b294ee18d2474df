import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadGenerator } from './load.js';
import type { PhaseResult } from './report.js';
import { SERVICES, type ChaosSystem, type ServiceName } from './system.js';

/** What a phase can do: nothing (steady load), kill -9 a subgraph, or take NATS or PostgreSQL away. */
export const PHASE_NAMES = ['baseline', ...SERVICES, 'nats', 'postgres'] as const;

export function phaseLabel(phase: string): string {
  if (phase === 'baseline') return 'steady load';
  if (phase === 'nats') return 'restart NATS (stop, wait, start: same port and store)';
  if (phase === 'postgres') return 'restart PostgreSQL (fast shutdown, wait, start)';
  return `kill -9 ${phase}, start it again`;
}

type Disruption = Pick<PhaseResult, 'downMs' | 'recoveredMs' | 'note'>;

/** Waits until every subgraph answers /readyz 200; how long that took, and what held it up longest. */
async function everyServiceReady(system: ChaosSystem, timeoutMs = 180_000): Promise<{ ms: number; slowest: string }> {
  const start = Date.now();
  const lastSeen = new Map<string, { at: number; why: string }>();
  for (;;) {
    const answers = await Promise.all(
      [...system.services.values()].map(async (service) => {
        let why: string;
        try {
          // Generous: under load a busy event loop answers late, which is not the same as not ready.
          const response = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
          if (response.status === 200) {
            await response.body?.cancel();
            return true;
          }
          why = `${response.status} ${(await response.text()).slice(0, 160)}`;
        } catch (error) {
          why = (error as Error).name === 'TimeoutError' ? '/readyz took over 10 s' : (error as Error).message;
        }
        lastSeen.set(service.name, { at: Date.now() - start, why });
        return false;
      }),
    );
    if (answers.every(Boolean)) {
      const [name, last] = [...lastSeen].sort((a, b) => b[1].at - a[1].at)[0] ?? [];
      return { ms: Date.now() - start, slowest: name ? `${name} last not ready at ${(last!.at / 1000).toFixed(1)} s: ${last!.why}` : '' };
    }
    if (Date.now() - start > timeoutMs) throw new Error(`subgraphs not ready ${timeoutMs} ms after the restart: ${JSON.stringify(Object.fromEntries(lastSeen))}`);
    await sleep(100);
  }
}

async function infrastructureOutage(system: ChaosSystem, outage: () => Promise<void>): Promise<Disruption> {
  const stoppedAt = Date.now();
  await outage();
  const downMs = Date.now() - stoppedAt;
  const ready = await everyServiceReady(system);
  // Slow to recover: say what held it up.
  return { downMs, recoveredMs: ready.ms, ...(ready.ms > 5_000 ? { note: ready.slowest } : {}) };
}

/** What one phase does to the system (the load runs throughout). Throws when a part does not come back. */
async function disrupt(system: ChaosSystem, phase: string, downMs: number): Promise<Disruption> {
  if (phase === 'baseline') return {};
  if (phase === 'nats') return infrastructureOutage(system, () => system.restartNats(downMs));
  if (phase === 'postgres') {
    return infrastructureOutage(system, async () => {
      await system.postgres.stop('fast');
      await sleep(downMs);
      await system.postgres.start();
    });
  }
  const service = system.service(phase as ServiceName);
  const killedAt = Date.now();
  await service.kill9();
  await sleep(downMs);
  const restartAt = Date.now();
  await service.start();
  return { downMs: Date.now() - killedAt, recoveredMs: Date.now() - restartAt };
}

/** Runs the phases one after the other, each `phaseSeconds` long (its disruption included). */
export async function runPhases(
  system: ChaosSystem,
  load: LoadGenerator,
  names: string[],
  options: { phaseSeconds: number; downMs: number; log: (line: string) => void },
): Promise<{ phases: PhaseResult[]; failures: number }> {
  const loadStart = Date.now();
  const phases: PhaseResult[] = [];
  let failures = 0;
  for (const name of names) {
    const startedAt = Date.now();
    options.log(`phase ${phases.length + 1}/${names.length}: ${phaseLabel(name)}`);
    let outcome: Disruption = {};
    try {
      outcome = await disrupt(system, name, options.downMs);
    } catch (error) {
      failures++;
      outcome = { note: `FAILED: ${(error as Error).message.slice(0, 600)}` };
      options.log(`phase ${name} ${outcome.note}`);
    }
    const left = startedAt + options.phaseSeconds * 1000 - Date.now();
    if (left > 0) await sleep(left);
    const endedAt = Date.now();
    const window = load.timeline.filter((t) => t.at >= startedAt && t.at < endedAt);
    phases.push({
      name: phaseLabel(name),
      startedAt: (startedAt - loadStart) / 1000,
      endedAt: (endedAt - loadStart) / 1000,
      ...outcome,
      accepted: window.filter((t) => t.outcome === 'accepted').length,
      refused: window.filter((t) => t.outcome === 'refused').length,
    });
  }
  return { phases, failures };
}
