interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<I> {
  /** Most items written by one `write` call. */
  maxBatch: number;
  /** `write` calls allowed at once (1 for SQLite's single writer; a few for PostgreSQL). */
  concurrency: number;
  /**
   * Also bound a batch by the items' total weight (e.g. the records they carry); an item heavier
   * than the bound is written alone.
   */
  weigh?: (item: I) => number;
  maxWeight?: number;
}

/**
 * Group commit: callers `submit` one item each and wait for it to be durable; items that arrive
 * while a write is in progress are written together by the next one, so a burst costs one
 * transaction per batch instead of one per item, and a lone item is written at once (no timer).
 * A failed batch is retried item by item, so one bad item fails only its own caller.
 *
 * `write` gets the items in submission order and returns one result per item, in the same order.
 */
export class GroupCommit<I, R> {
  private readonly queue: Pending<I, R>[] = [];
  private active = 0;
  private scheduled = false;

  constructor(
    private readonly write: (items: I[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  /** Items waiting for a write slot (a gauge for metrics and tests). */
  get backlog(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Let the items of the current event-loop turn join the batch before writing. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize());
      this.active += 1;
      void this.run(batch).finally(() => {
        this.active -= 1;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  /** How many of the queued items the next batch takes (at least one). */
  private batchSize(): number {
    const { maxBatch, weigh, maxWeight } = this.options;
    const limit = Math.min(maxBatch, this.queue.length);
    if (!weigh || maxWeight === undefined) return limit;
    let weight = 0;
    for (let n = 0; n < limit; n++) {
      weight += weigh(this.queue[n]!.item);
      if (weight > maxWeight) return Math.max(n, 1);
    }
    return limit;
  }

  private async run(batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`group commit: write returned ${results.length} results for ${batch.length} items`);
      batch.forEach((pending, i) => pending.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) {
        try {
          pending.resolve((await this.write([pending.item]))[0]!);
        } catch (itemError) {
          pending.reject(itemError);
        }
      }
    }
  }
}
