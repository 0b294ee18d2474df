import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/index.js';

/** A write that records the batches it was given and answers each item doubled. */
function recordingWrite(options: { failWhen?: (items: number[]) => boolean; delayMs?: number } = {}) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: number[]) => {
    batches.push([...items]);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
      if (options.failWhen?.(items)) throw new Error(`batch ${items.join(',')} failed`);
      return items.map((item) => item * 2);
    } finally {
      inFlight--;
    }
  };
  return { write, batches, maxInFlight: () => maxInFlight };
}

describe('GroupCommit', () => {
  it('writes the items submitted together in one batch and answers each caller its own result', async () => {
    const { write, batches } = recordingWrite();
    const commits = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => commits.submit(n)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('items arriving during a write go together into the next one, in submission order', async () => {
    const { write, batches } = recordingWrite({ delayMs: 20 });
    const commits = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const first = commits.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [2, 3, 4].map((n) => commits.submit(n));
    expect(commits.backlog).toBe(3);
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps batches within maxBatch, maxWeight and the concurrency allowed', async () => {
    const { write, batches, maxInFlight } = recordingWrite();
    const commits = new GroupCommit(write, { maxBatch: 3, concurrency: 2, weigh: (n) => n, maxWeight: 10 });
    const items = [1, 2, 3, 4, 5, 6, 20, 1];
    expect(await Promise.all(items.map((n) => commits.submit(n)))).toEqual(items.map((n) => n * 2));
    expect(batches.flat()).toEqual(items);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(3);
      // An item heavier than the bound goes alone; no other batch exceeds it.
      if (batch.length > 1) expect(batch.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(10);
    }
    expect(batches).toContainEqual([20]);
    expect(maxInFlight()).toBe(2);
  });

  it('a failed batch is retried item by item, so only the bad item fails its caller', async () => {
    const { write, batches } = recordingWrite({ failWhen: (items) => items.includes(3) });
    const commits = new GroupCommit(write, { maxBatch: 100, concurrency: 1 });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => commits.submit(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([2, 4, 'batch 3 failed', 8]);
    expect(batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });

  it('a write that answers the wrong number of results fails the batch rather than mismatching callers', async () => {
    const commits = new GroupCommit(async (items: number[]) => (items.length > 1 ? [0] : items), { maxBatch: 100, concurrency: 1 });
    expect(await Promise.all([5, 6].map((n) => commits.submit(n)))).toEqual([5, 6]);
  });
});
