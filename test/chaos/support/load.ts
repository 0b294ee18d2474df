import type { Answer, Flow, FlowRequest } from './flow.js';

/** What the callers of one flow saw. */
export interface FlowLedger {
  flow: Flow;
  /** Every request built, by key. */
  sent: Map<string, FlowRequest>;
  /** Keys the system answered 2xx (at least once). */
  accepted: Set<string>;
  /** Accepted keys that were refused at least once before. */
  refusedThenAccepted: Set<string>;
  /** Attempts that got a refusal (transport error, 5xx, timeout). */
  refusals: number;
  refusalReasons: Map<string, number>;
  /** Keys that were refused every time until the caller gave up. */
  gaveUp: Set<string>;
  /** Keys with a definitive non-2xx answer (not sent again). */
  final: Map<string, string>;
  /** Keys with an unexpected 4xx (not sent again). */
  rejected: Map<string, string>;
  /** Accepted requests sent again on purpose (a caller that never saw the answer, a re-send). */
  resent: number;
  /** …whose repeat was not answered 2xx. */
  resentNotAccepted: number;
}

export interface LoadOptions {
  /** New requests per second, all flows together. */
  rate: number;
  /** Requests in flight at most; beyond it new requests wait. */
  maxInFlight: number;
  /** Share of accepted requests sent a second time, a few seconds later. */
  resendRatio: number;
  /** Attempts per request before the caller gives up. */
  maxAttempts: number;
}

/** Delay before attempt n+1 after a refusal: 0.5 s doubling to 5 s, like a patient caller. */
const retryDelayMs = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 5_000);
const RESEND_DELAY_MS = 3_000;

/**
 * An open-loop load generator: requests start at a steady rate whatever the system does (callers
 * do not wait for each other), spread over the flows by weight. A refused request is sent again
 * with the same payload after a backoff; a share of accepted ones is sent again on purpose. Every
 * answer goes in the flow's ledger.
 */
export class LoadGenerator {
  readonly ledgers: FlowLedger[];
  private readonly schedule: Flow[];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private created = 0;
  private sequence = 0;
  private inFlight = 0;
  /** Requests and re-sends that are not settled yet (in flight or waiting for their next attempt). */
  private pending = 0;
  private idle: (() => void)[] = [];
  private readonly waitingForSlot: (() => void)[] = [];
  /** Answers by second since the start: for the phase table. */
  readonly timeline: { at: number; outcome: Answer['outcome'] }[] = [];

  constructor(
    flows: Flow[],
    private readonly options: LoadOptions,
  ) {
    this.ledgers = flows.map((flow) => ({
      flow,
      sent: new Map(),
      accepted: new Set(),
      refusedThenAccepted: new Set(),
      refusals: 0,
      refusalReasons: new Map(),
      gaveUp: new Set(),
      final: new Map(),
      rejected: new Map(),
      resent: 0,
      resentNotAccepted: 0,
    }));
    // Smooth weighted round robin, laid out once: flows interleave instead of coming in runs.
    const total = flows.reduce((sum, flow) => sum + flow.weight, 0);
    const current = flows.map(() => 0);
    this.schedule = Array.from({ length: total }, () => {
      flows.forEach((flow, i) => (current[i]! += flow.weight));
      const best = current.indexOf(Math.max(...current));
      current[best]! -= total;
      return flows[best]!;
    });
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), 10);
  }

  /** Stop starting new requests; the ones under way go on (retries included). */
  stopNew(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves once every request has settled: accepted, given up, or answered for good. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  get requestsPending(): number {
    return this.pending;
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.startedAt) / 1000) * this.options.rate);
    // Behind because the system is slow: start what is due, but never more than the in-flight cap.
    while (this.created < due && this.inFlight < this.options.maxInFlight) {
      this.created++;
      const flow = this.schedule[this.sequence % this.schedule.length]!;
      const ledger = this.ledgers.find((l) => l.flow === flow)!;
      const request = flow.next(this.sequence++);
      ledger.sent.set(request.key, request);
      this.track(this.run(ledger, request));
    }
    // Requests that could not start are not owed later: the rate is a ceiling, not a debt.
    if (this.created < due) this.created = due;
  }

  private track(work: Promise<void>): void {
    this.pending++;
    void work.finally(() => {
      this.pending--;
      if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private async send(request: FlowRequest): Promise<Answer> {
    while (this.inFlight >= this.options.maxInFlight) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    this.inFlight++;
    try {
      return await request.send();
    } catch (error) {
      return { outcome: 'rejected', reason: `generator error: ${(error as Error).message}` };
    } finally {
      this.inFlight--;
      this.waitingForSlot.shift()?.();
    }
  }

  private async run(ledger: FlowLedger, request: FlowRequest): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.send(request);
      this.timeline.push({ at: Date.now(), outcome: answer.outcome });
      switch (answer.outcome) {
        case 'accepted':
          ledger.accepted.add(request.key);
          if (attempt > 1) ledger.refusedThenAccepted.add(request.key);
          if (Math.random() < this.options.resendRatio) this.track(this.resend(ledger, request));
          return;
        case 'final':
          ledger.final.set(request.key, answer.reason);
          return;
        case 'rejected':
          ledger.rejected.set(request.key, answer.reason);
          return;
        case 'refused':
          ledger.refusals++;
          ledger.refusalReasons.set(answer.reason, (ledger.refusalReasons.get(answer.reason) ?? 0) + 1);
          if (attempt >= this.options.maxAttempts) {
            ledger.gaveUp.add(request.key);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  }

  /** The same request again, as a caller that lost the first answer would send it. */
  private async resend(ledger: FlowLedger, request: FlowRequest): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY_MS));
    ledger.resent++;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.send(request);
      if (answer.outcome === 'accepted') return;
      if (answer.outcome !== 'refused' || attempt >= this.options.maxAttempts) {
        ledger.resentNotAccepted++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }
}
