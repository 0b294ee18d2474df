import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Logger } from '@switchboard/kit';
import { Histogram, type Registry } from 'prom-client';
import { execute, executeRun } from '../sql.js';
import { slotWindow } from './rate-rules.js';

export interface RateLimiter {
  /** Runs `call` once a slot is free; returns its value and how long it waited (ms). */
  schedule<T>(call: () => Promise<T>): Promise<{ value: T; waitedMs: number }>;
}

export interface SharedRateLimiterOptions {
  /** Rows in `inventory_rate_slot`: every replica using the same key shares one budget. */
  key: string;
  callsPerSecond: number;
  /** Added to the window (ms): room for a window that Odoo counts inclusively. */
  guardMs: number;
  /** A call still in flight after this long is presumed dead (its process crashed); its slot is reused. */
  leaseMs: number;
  metrics?: Registry;
  logger?: Logger;
}

/**
 * On PostgreSQL the database clock is the one clock every replica shares; SQLite lives on this
 * host, so the local clock (Date.now(), which every process here reads alike) is the shared one.
 */
const PG_NOW_US = '(extract(epoch from clock_timestamp()) * 1000000)::bigint';

/**
 * A rate limiter shared by every replica through the database. Taking a slot is one atomic
 * statement (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so replicas do not queue behind each other's
 * row locks; SQLite: the single writer); giving it back records when the call ended. No leader,
 * no background process, the same code on SQLite and PostgreSQL.
 */
export class SharedRateLimiter implements RateLimiter {
  private readonly slots: number;
  private readonly windowUs: number;
  private ready?: Promise<void>;
  private readonly waited?: Histogram;

  constructor(
    private readonly db: Database,
    private readonly options: SharedRateLimiterOptions,
  ) {
    const { slots, windowMs } = slotWindow(options.callsPerSecond, options.guardMs);
    this.slots = slots;
    this.windowUs = Math.ceil(windowMs * 1000);
    if (options.metrics) {
      this.waited = new Histogram({
        name: 'odoo_rate_limiter_wait_seconds',
        help: 'Time calls to the Odoo vendor API waited for a shared rate-limit slot',
        buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
        registers: [options.metrics],
      });
    }
  }

  async schedule<T>(call: () => Promise<T>): Promise<{ value: T; waitedMs: number }> {
    this.ready ??= this.ensureSlots();
    await this.ready;
    const began = performance.now();
    const taken = await this.take();
    const waitedMs = performance.now() - began;
    this.waited?.observe(waitedMs / 1000);
    try {
      return { value: await call(), waitedMs };
    } finally {
      // Must run after the call ended: the next use of this slot is timed from here.
      await this.release(taken).catch((error) => this.options.logger?.warn({ err: error }, 'rate limiter: could not release a slot; it frees when its lease runs out'));
    }
  }

  private get pg(): boolean {
    return this.db.dialect === 'postgresql';
  }

  private async take(): Promise<{ slot: number; leaseUs: string }> {
    for (;;) {
      const em = this.db.em();
      const leaseUs = this.options.leaseMs * 1000;
      const rows = this.pg
        ? await execute(
            em,
            `with clock as (select ${PG_NOW_US} as now_us), ` +
              'free as (select s.slot from inventory_rate_slot s, clock where s.key = ? and s.busy_until_us <= clock.now_us - ? ' +
              'order by s.busy_until_us limit 1 for update of s skip locked) ' +
              'update inventory_rate_slot set busy_until_us = (select now_us from clock) + ? from free ' +
              'where inventory_rate_slot.key = ? and inventory_rate_slot.slot = free.slot returning inventory_rate_slot.slot, inventory_rate_slot.busy_until_us',
            [this.options.key, this.windowUs, leaseUs, this.options.key],
          )
        : await (() => {
            const nowUs = Date.now() * 1000;
            return execute(
              em,
              'update inventory_rate_slot set busy_until_us = ? where key = ? and slot = ' +
                '(select slot from inventory_rate_slot where key = ? and busy_until_us <= ? order by busy_until_us limit 1) ' +
                'returning slot, busy_until_us',
              [nowUs + leaseUs, this.options.key, this.options.key, nowUs - this.windowUs],
            );
          })();
      const row = rows[0];
      if (row) return { slot: Number(row['slot']), leaseUs: String(row['busy_until_us']) };
      // Every slot is busy or used too recently: sleep until the first one frees up.
      const [next] = this.pg
        ? await execute(em, `select min(busy_until_us) as next_us, ${PG_NOW_US} as now_us from inventory_rate_slot where key = ?`, [this.options.key])
        : await execute(em, 'select min(busy_until_us) as next_us, ? as now_us from inventory_rate_slot where key = ?', [Date.now() * 1000, this.options.key]);
      const waitMs = (Number(next?.['next_us'] ?? 0) + this.windowUs - Number(next?.['now_us'] ?? 0)) / 1000;
      await sleep(Math.min(Math.max(1, Math.ceil(waitMs)), this.options.leaseMs));
    }
  }

  private async release(taken: { slot: number; leaseUs: string }): Promise<void> {
    // Only if the slot is still ours: after a lease ran out another call may hold it.
    await executeRun(
      this.db.em(),
      `update inventory_rate_slot set busy_until_us = ${this.pg ? PG_NOW_US : '?'} where key = ? and slot = ? and busy_until_us = ?`,
      [...(this.pg ? [] : [Date.now() * 1000]), this.options.key, taken.slot, taken.leaseUs],
    );
  }

  /** Exactly `slots` rows for the key (the limit may have changed since the last start). */
  private async ensureSlots(): Promise<void> {
    const em = this.db.em();
    const values = Array.from({ length: this.slots }, (_, slot) => [this.options.key, slot]);
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      await executeRun(
        em,
        `insert into inventory_rate_slot (key, slot, busy_until_us) values ${chunk.map(() => '(?, ?, 0)').join(', ')} on conflict (key, slot) do nothing`,
        chunk.flat(),
      );
    }
    await executeRun(em, 'delete from inventory_rate_slot where key = ? and slot >= ?', [this.options.key, this.slots]);
  }
}
