/**
 * Chaos run: the whole system on real infrastructure under steady load while its parts fail, then
 * proof that every request the system accepted had its effect exactly once.
 *
 *   pnpm chaos [--duration-per-phase 20] [--rate 200] [--down 3] [--resend 0.05] [--max-in-flight 256]
 *              [--settle-quiet 150] [--settle-timeout 900]
 *              [--phases baseline,payments,commerce,billing,helpdesk,nats,postgres]
 *              [--json <file>] [--logs <dir>]
 *
 * It owns a PostgreSQL cluster (a database per service) and a nats-server with JetStream on a
 * store dir, starts the four subgraphs as separate processes from their production entry points,
 * and the emulators of WEX, Odoo's webhook and an SMTP server. Load: PrestaShop batches, Clover
 * webhooks, WEX card requests, helpdesk tickets and billing usage, each with an idempotency key;
 * refused requests are sent again with the same payload, and a share of accepted ones too.
 * Phases: steady load; kill -9 of each subgraph in turn (started again after --down seconds);
 * NATS stopped and started again on the same port and store; PostgreSQL shut down (fast) and
 * started again. Then it waits for the system to settle and counts each accepted request's effects
 * in the databases and emulators. Exit 1 when an effect is lost or duplicated, a valid request got
 * a 4xx, or a phase could not do its part. See the README, "Chaos run".
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloverFlow } from './flows/clover.js';
import { helpdeskFlow } from './flows/helpdesk.js';
import { prestashopFlow } from './flows/prestashop.js';
import { usageFlow } from './flows/usage.js';
import { wexFlow } from './flows/wex.js';
import type { Flow } from './support/flow.js';
import { LoadGenerator } from './support/load.js';
import { PHASE_NAMES, runPhases } from './support/phases.js';
import { jsonReport, textReport, totals, type RunOutcome } from './support/report.js';
import { diagnostics, errorLines, settle, total } from './support/settle.js';
import { ChaosSystem } from './support/system.js';

const { values: args } = parseArgs({
  options: {
    'duration-per-phase': { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    down: { type: 'string', default: '3' },
    resend: { type: 'string', default: '0.05' },
    'max-in-flight': { type: 'string', default: '256' },
    'settle-quiet': { type: 'string', default: '150' },
    'settle-timeout': { type: 'string', default: '900' },
    phases: { type: 'string', default: PHASE_NAMES.join(',') },
    json: { type: 'string' },
    logs: { type: 'string' },
  },
});

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function positive(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!(value > 0)) usage(`--${name} must be a positive number (got ${String(args[name])})`);
  return value;
}

const options = {
  phaseSeconds: positive('duration-per-phase'),
  rate: positive('rate'),
  downSeconds: positive('down'),
  resendRatio: Number(args.resend),
  maxInFlight: Math.floor(positive('max-in-flight')),
  quietSeconds: positive('settle-quiet'),
  settleSeconds: positive('settle-timeout'),
  phases: args.phases!.split(',').map((p) => p.trim()).filter(Boolean),
};
if (!(options.resendRatio >= 0 && options.resendRatio <= 1)) usage('--resend must be a share between 0 and 1');
for (const name of options.phases) {
  if (!(PHASE_NAMES as readonly string[]).includes(name)) usage(`unknown phase "${name}" (phases: ${PHASE_NAMES.join(', ')})`);
}

const began = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const runId = Date.now().toString(36);
/** How long callers may go on retrying once no new request starts (20 attempts, 5 s apart at most). */
const CALLERS_GRACE_MS = 180_000;

function keepLogs(system: ChaosSystem, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(system.workDir).filter((f) => f.endsWith('.log'))) copyFileSync(join(system.workDir, file), join(dir, file));
}

async function run(system: ChaosSystem): Promise<RunOutcome> {
  const flows: Flow[] = [prestashopFlow(system, runId), cloverFlow(system, runId), wexFlow(system, runId), helpdeskFlow(system, runId), usageFlow(system, runId)];
  for (const flow of flows) await flow.setup?.();
  log(`system up; load: ${flows.map((f) => `${f.name} ×${f.weight}`).join(', ')}`);

  const load = new LoadGenerator(flows, { rate: options.rate, maxInFlight: options.maxInFlight, resendRatio: options.resendRatio, maxAttempts: 20 });
  load.start();
  const { phases, failures } = await runPhases(system, load, options.phases, { phaseSeconds: options.phaseSeconds, downMs: options.downSeconds * 1000, log });
  load.stopNew();
  log(`load stopped; waiting for ${load.requestsPending} callers to finish their retries…`);
  await Promise.race([load.drained(), sleep(CALLERS_GRACE_MS)]);
  const stillPending = load.requestsPending;

  log(`waiting for the system to settle (until every effect is there, nothing changes for ${options.quietSeconds} s, or ${options.settleSeconds} s)…`);
  const { results, seconds, reason } = await settle(load.ledgers, { quietSeconds: options.quietSeconds, timeoutSeconds: options.settleSeconds, log });
  const explanations = new Map<string, string[]>();
  for (const effect of results.filter((r) => r.lost > 0)) {
    const flow = flows.find((f) => f.name === effect.flow)!;
    const lines = await flow.explain?.(effect.lostKeys).catch((error: Error) => [`could not explain: ${error.message}`]);
    explanations.set(`${effect.flow} / ${effect.effect}`, lines ?? []);
  }
  const broken = total(results, 'lost') + total(results, 'duplicated') > 0;
  return {
    ledgers: load.ledgers,
    effects: results,
    phases,
    phaseFailures: failures,
    stillPending,
    settled: { seconds, reason },
    diagnostics: await diagnostics(system),
    explanations,
    errors: broken ? errorLines(system) : [],
  };
}

async function main(): Promise<number> {
  log(
    `chaos run ${runId}: ${options.phases.length} phases of ${options.phaseSeconds} s at ${options.rate} requests/s, ` +
      `components down ${options.downSeconds} s; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const system = await ChaosSystem.start(log);
  let outcome: RunOutcome;
  try {
    outcome = await run(system);
    if (args.logs) keepLogs(system, resolve(args.logs));
  } finally {
    log('stopping everything…');
    await system.close();
  }
  process.stdout.write(`${textReport(outcome)}\n`);
  log(`run took ${((Date.now() - began) / 1000).toFixed(0)} s`);
  if (args.json) {
    const context = { runId, options, machine: { cores: cpus().length, loadAverage: loadavg() } };
    writeFileSync(resolve(args.json), `${JSON.stringify(jsonReport(outcome, context), null, 2)}\n`);
    log(`report written to ${args.json}`);
  }
  const { lost, duplicated, rejected4xx, phaseFailures } = totals(outcome);
  if (rejected4xx) log(`${rejected4xx} valid requests were refused with a 4xx (their callers will not send them again): see REJECTED above`);
  if (phaseFailures) log(`${phaseFailures} phase(s) could not do their part: see the phase notes`);
  return lost === 0 && duplicated === 0 && rejected4xx === 0 && phaseFailures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`chaos run failed: ${(error as Error).stack ?? String(error)}\n`);
    // Whatever close() could not undo, the exit-time cleanup and the watchdog (see Reaper) do.
    process.exit(1);
  },
);
