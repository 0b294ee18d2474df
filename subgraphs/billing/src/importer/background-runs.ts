import type { EntityName } from '@mikro-orm/core';
import type { Database, Runnable } from '@switchboard/kit';
import type { ServiceRuntime } from '@switchboard/kit';
type Logger = ServiceRuntime['logger'];

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule';

/** What import and reconciliation runs share in their tables. */
export interface RunRow {
  id: string;
  status: RunStatus;
  total?: number | null;
  processed: number;
  summary?: string | null;
  error?: string | null;
  heartbeatAt: Date;
  finishedAt?: Date | null;
}

/** Reports how far a run got; writes are throttled so progress costs little. */
export interface Progress {
  setTotal(total: number): void;
  advance(count?: number): void;
  readonly signal: AbortSignal;
}

export class RunCancelled extends Error {
  constructor() {
    super('cancelled: the service is shutting down');
    this.name = 'RunCancelled';
  }
}

/** A run stuck `running` without a heartbeat for this long died with its process. */
export const STALE_RUN_MS = 10 * 60_000;
const PROGRESS_WRITE_MS = 500;

/**
 * Long runs (imports, reconciliations) started from GraphQL or a schedule execute in the
 * background: the caller gets the run row at once and follows its progress. On SIGTERM the runs
 * stop between batches (status `cancelled`, everything committed so far stays).
 */
export class BackgroundRuns implements Runnable {
  readonly name = 'billing-background-runs';
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private stopping = false;

  constructor(private readonly db: Database, private readonly logger: Logger) {}

  async start(): Promise<void> {}

  /** Execute `work` for the run row `runId` (already inserted) of `entity`. */
  launch<R>(entity: EntityName<RunRow>, runId: string, work: (progress: Progress) => Promise<R>): Promise<void> {
    if (this.stopping) throw new Error('the service is shutting down; try again on another replica');
    const abort = new AbortController();
    const promise = this.execute(entity, runId, work, abort).finally(() => this.running.delete(runId));
    this.running.set(runId, { promise, abort });
    return promise;
  }

  /** Resolves when the run ends (tests; a GraphQL `wait`). */
  async wait(runId: string): Promise<void> {
    await this.running.get(runId)?.promise;
  }

  get active(): number {
    return this.running.size;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const { abort } of this.running.values()) abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  private async execute<R>(entity: EntityName<RunRow>, runId: string, work: (progress: Progress) => Promise<R>, abort: AbortController): Promise<void> {
    let processed = 0;
    let total: number | null | undefined;
    let lastWrite = 0;
    let writing: Promise<unknown> = Promise.resolve();
    const write = (force = false) => {
      const now = Date.now();
      if (!force && now - lastWrite < PROGRESS_WRITE_MS) return;
      lastWrite = now;
      const update = { processed, heartbeatAt: new Date(), ...(total === undefined ? {} : { total }) };
      writing = writing.then(() => this.db.em().nativeUpdate(entity, { id: runId }, update)).catch((error) =>
        this.logger.warn({ err: error, runId }, 'could not record run progress'));
    };
    const progress: Progress = {
      signal: abort.signal,
      setTotal(value) {
        total = value;
        write(true);
      },
      advance(count = 1) {
        if (abort.signal.aborted) throw new RunCancelled();
        processed += count;
        write();
      },
    };
    // A heartbeat even while one long step runs (a big source query), so the run never looks dead.
    const heartbeat = setInterval(() => write(true), 30_000);
    heartbeat.unref();
    let outcome: Partial<RunRow>;
    try {
      const summary = await work(progress);
      outcome = { status: 'succeeded', summary: JSON.stringify(summary) };
    } catch (error) {
      const cancelled = error instanceof RunCancelled || abort.signal.aborted;
      if (!cancelled) this.logger.error({ err: error, runId }, 'background run failed');
      outcome = { status: cancelled ? 'cancelled' : 'failed', error: (error as Error).message ?? String(error) };
    } finally {
      clearInterval(heartbeat);
    }
    await writing;
    await this.db.em().nativeUpdate(entity, { id: runId }, {
      ...outcome,
      processed,
      ...(total === undefined ? {} : { total }),
      heartbeatAt: new Date(),
      finishedAt: new Date(),
    });
  }
}

/** Runs left `running` by a process that died are marked failed (called at start-up). */
export async function failStaleRuns(db: Database, entity: EntityName<RunRow>, now = new Date()): Promise<number> {
  return db.em().nativeUpdate(entity, { status: 'running', heartbeatAt: { $lt: new Date(now.getTime() - STALE_RUN_MS) } }, {
    status: 'failed',
    error: 'interrupted: the process running it stopped',
    finishedAt: now,
  });
}
