import type { FlowLedger } from './load.js';

/** One effect of one flow, compared with the ledger. */
export interface EffectResult {
  flow: string;
  effect: string;
  /** Accepted requests: each must have this effect exactly once. */
  expected: number;
  /** Accepted requests whose effect exists (once or more). */
  found: number;
  /** Accepted requests without the effect. */
  lost: number;
  /** Requests (accepted or not) whose effect exists more than once. */
  duplicated: number;
  /** Requests never answered 2xx whose effect exists anyway (the answer was lost, or the outcome is unknown). */
  unconfirmed: number;
  /** A few keys of lost and duplicated requests, to look them up. */
  lostKeys: string[];
  duplicatedKeys: string[];
}

export interface PhaseResult {
  name: string;
  /** Seconds since the load started. */
  startedAt: number;
  endedAt: number;
  /** How long the component was down (stop → started again), ms. */
  downMs?: number;
  /** From starting it again until every subgraph answered /readyz 200, ms. */
  recoveredMs?: number;
  accepted: number;
  refused: number;
  note?: string;
}

/** Compare effect counts with the ledger. */
export function compare(ledger: FlowLedger, effect: string, counts: Map<string, number>): EffectResult {
  let found = 0;
  const lostKeys: string[] = [];
  for (const key of ledger.accepted) {
    if ((counts.get(key) ?? 0) > 0) found++;
    else lostKeys.push(key);
  }
  const duplicatedKeys = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  const unconfirmed = [...counts].filter(([key, n]) => n > 0 && !ledger.accepted.has(key)).length;
  return {
    flow: ledger.flow.name,
    effect,
    expected: ledger.accepted.size,
    found,
    lost: lostKeys.length,
    duplicated: duplicatedKeys.length,
    unconfirmed,
    lostKeys: lostKeys.slice(0, 5),
    duplicatedKeys: duplicatedKeys.slice(0, 5),
  };
}

/** A plain-text table with a header rule, columns right-aligned except the first `left`. */
export function table(header: string[], rows: (string | number)[][], left = 1): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function requestRows(ledgers: FlowLedger[]): (string | number)[][] {
  return ledgers.map((l) => [
    l.flow.name,
    l.sent.size,
    l.accepted.size,
    l.refusedThenAccepted.size,
    l.refusals,
    l.gaveUp.size,
    l.final.size,
    l.rejected.size,
    `${l.resent - l.resentNotAccepted}/${l.resent}`,
  ]);
}

export const REQUEST_HEADER = ['flow', 'sent', 'accepted', 'refused-then-retried', 'refused attempts', 'gave up', 'final non-2xx', 'rejected 4xx', 'duplicates sent (2xx/all)'];

export const EFFECT_HEADER = ['flow', 'effect', 'accepted', 'effects found', 'lost', 'duplicated', 'unconfirmed with effect'];

export function effectRows(results: EffectResult[]): (string | number)[][] {
  return results.map((r) => [r.flow, r.effect, r.expected, r.found, r.lost, r.duplicated, r.unconfirmed]);
}

export const PHASE_HEADER = ['#', 'phase', 'from s', 'to s', 'down for', 'all ready after', 'accepted', 'refused'];

export function phaseRows(phases: PhaseResult[]): (string | number)[][] {
  const ms = (v?: number) => (v === undefined ? '—' : `${(v / 1000).toFixed(1)} s`);
  return phases.map((p, i) => [i + 1, p.name, p.startedAt.toFixed(1), p.endedAt.toFixed(1), ms(p.downMs), ms(p.recoveredMs), p.accepted, p.refused]);
}

/** Everything a run found, for the text and JSON reports. */
export interface RunOutcome {
  ledgers: FlowLedger[];
  effects: EffectResult[];
  phases: PhaseResult[];
  phaseFailures: number;
  /** Requests still being retried when the wait for callers ended. */
  stillPending: number;
  settled: { seconds: number; reason: string };
  diagnostics: string[];
  /** Where lost requests got stuck, per effect (`flow / effect` → lines). */
  explanations: Map<string, string[]>;
  /** The services' last errors (only gathered when something was lost or duplicated). */
  errors: string[];
}

export function totals(outcome: RunOutcome) {
  const count = (pick: (l: FlowLedger) => number) => outcome.ledgers.reduce((n, l) => n + pick(l), 0);
  const sum = (field: 'lost' | 'duplicated' | 'expected') => outcome.effects.reduce((n, r) => n + r[field], 0);
  return {
    sent: count((l) => l.sent.size),
    accepted: count((l) => l.accepted.size),
    refusedThenRetried: count((l) => l.refusedThenAccepted.size),
    gaveUp: count((l) => l.gaveUp.size),
    finalNon2xx: count((l) => l.final.size),
    rejected4xx: count((l) => l.rejected.size),
    duplicatesSent: count((l) => l.resent),
    effectsChecked: sum('expected'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    phaseFailures: outcome.phaseFailures,
  };
}

export function textReport(outcome: RunOutcome): string {
  const { lost, duplicated } = totals(outcome);
  const out: string[] = [''];
  out.push("Requests (the callers' ledger)", table(REQUEST_HEADER, requestRows(outcome.ledgers)), '');
  out.push('Effects (every accepted request: exactly once)', table(EFFECT_HEADER, effectRows(outcome.effects), 2), '');
  out.push('Phases', table(PHASE_HEADER, phaseRows(outcome.phases), 2));
  outcome.phases.forEach((p, i) => p.note && out.push(`  phase ${i + 1}: ${p.note}`));
  out.push('');
  const reasons = outcome.ledgers.flatMap((l) => [...l.refusalReasons].map(([reason, n]) => `${l.flow.name}: ${reason} ×${n}`));
  if (reasons.length) out.push(`Refusals seen by callers: ${reasons.join(', ')}`);
  for (const l of outcome.ledgers) {
    for (const [key, reason] of [...l.rejected].slice(0, 3)) out.push(`REJECTED ${l.flow.name} ${key}: ${reason}`);
    for (const [key, reason] of [...l.final].slice(0, 3)) out.push(`final answer ${l.flow.name} ${key}: ${reason}`);
  }
  for (const r of outcome.effects) {
    if (r.lost) {
      out.push(`LOST ${r.flow} / ${r.effect}: e.g. ${r.lostKeys.join(', ')}`);
      for (const line of outcome.explanations.get(`${r.flow} / ${r.effect}`) ?? []) out.push(`  ${line}`);
    }
    if (r.duplicated) out.push(`DUPLICATED ${r.flow} / ${r.effect}: e.g. ${r.duplicatedKeys.join(', ')}`);
  }
  if (outcome.stillPending) out.push(`${outcome.stillPending} requests were still being retried when the wait for callers ended`);
  if (outcome.diagnostics.length) out.push('Diagnostics:', ...outcome.diagnostics.map((p) => `  ${p}`));
  if (outcome.errors.length) out.push('Last errors logged by the services:', ...outcome.errors.map((l) => `  ${l}`));
  out.push(`settled after ${outcome.settled.seconds.toFixed(1)} s (${outcome.settled.reason})`, '');
  out.push(`lost = ${lost}, duplicated effects = ${duplicated}`);
  return out.join('\n');
}

export function jsonReport(outcome: RunOutcome, context: Record<string, unknown>) {
  return {
    ...context,
    totals: totals(outcome),
    flows: outcome.ledgers.map((l) => ({
      flow: l.flow.name,
      path: l.flow.path,
      sent: l.sent.size,
      accepted: l.accepted.size,
      refusedThenRetried: l.refusedThenAccepted.size,
      refusedAttempts: l.refusals,
      refusalReasons: Object.fromEntries(l.refusalReasons),
      gaveUp: l.gaveUp.size,
      finalNon2xx: l.final.size,
      rejected4xx: l.rejected.size,
      duplicatesSent: l.resent,
    })),
    effects: outcome.effects,
    phases: outcome.phases,
    stillPending: outcome.stillPending,
    settled: outcome.settled,
    diagnostics: outcome.diagnostics,
  };
}
