import type { EntityManager } from '@mikro-orm/core';
import { LOG_LEVELS, type LogLevel } from './config.js';
import { PrestashopLog } from './prestashop-log.js';

/** Writes the operator-facing processing log in the caller's transaction, from `minLevel` up. */
export class ProcessingLog {
  constructor(
    private readonly em: EntityManager,
    private readonly minLevel: LogLevel,
  ) {}

  write(level: LogLevel, message: string, context?: Record<string, unknown>, refs: { sourceEventId?: number; batchId?: string } = {}): void {
    if (!logs(level, this.minLevel)) return;
    this.em.persist(
      Object.assign(new PrestashopLog(), {
        level,
        message: message.length > 500 ? `${message.slice(0, 497)}...` : message,
        context: context ? JSON.stringify(context) : null,
        sourceEventId: refs.sourceEventId ?? null,
        batchId: refs.batchId ?? null,
      }),
    );
  }
}

/** ERROR is always written; DEBUG only when the minimum is DEBUG. */
export function logs(level: LogLevel, minLevel: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(minLevel);
}
