import { randomUUID } from 'node:crypto';
import type { Database, Logger } from '@switchboard/kit';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverInputError, CloverNotFoundError, CloverStateError } from '../domain-errors.js';
import type { CloverPlatform } from '../platform/platform-api.js';
import { CloverTerminal } from './clover-terminal.js';
import type { CloverRestPay } from './rest-pay-api.js';

export interface PingResult {
  ok: boolean;
  message: string;
  latencyMs: number;
}

/** Terminals of a connection: sync from Clover, default, rename, ping, welcome screen. */
export class CloverTerminals {
  constructor(private readonly deps: { db: Database; platform: CloverPlatform; restPay: CloverRestPay; logger: Logger }) {}

  list(connectionId: string, includeRemoved = false): Promise<CloverTerminal[]> {
    return this.deps.db.em().find(
      CloverTerminal,
      { connectionId, ...(includeRemoved ? {} : { removedAt: null }) },
      { orderBy: { isDefault: 'desc', name: 'asc', id: 'asc' } },
    );
  }

  async get(id: string): Promise<CloverTerminal> {
    const row = await this.deps.db.em().findOne(CloverTerminal, { id });
    if (!row) throw new CloverNotFoundError(`no Clover terminal ${id}`);
    return row;
  }

  /**
   * Mirrors the merchant's devices: new ones are added (the first becomes the default), known
   * ones keep our name, vanished ones are marked removed (payments still reference them).
   */
  async sync(connectionId: string): Promise<CloverTerminal[]> {
    const em = this.deps.db.em();
    const connection = await em.findOne(CloverConnection, { id: connectionId });
    if (!connection) throw new CloverNotFoundError(`no Clover connection ${connectionId}`);
    const devices = await this.deps.platform.devices(connection);
    const existing = await em.find(CloverTerminal, { connectionId });
    const bySerial = new Map(existing.map((row) => [row.serial, row]));
    const now = new Date();
    const seen = new Set<string>();
    for (const device of devices) {
      if (!device.serial) continue;
      seen.add(device.serial);
      const row = bySerial.get(device.serial);
      if (row) {
        Object.assign(row, { deviceId: device.id, model: device.model ?? null, productName: device.productName ?? null, syncedAt: now, removedAt: null });
      } else {
        em.persist(
          Object.assign(new CloverTerminal(), {
            id: randomUUID(),
            connectionId,
            deviceId: device.id,
            serial: device.serial,
            name: (device.name || device.productName || device.serial).slice(0, 200),
            model: device.model ?? null,
            productName: device.productName ?? null,
            syncedAt: now,
            createdAt: now,
          }),
        );
      }
    }
    for (const row of existing) {
      if (!seen.has(row.serial) && !row.removedAt) Object.assign(row, { removedAt: now, isDefault: false });
    }
    await em.flush();
    const active = await this.list(connectionId);
    if (active.length > 0 && !active.some((row) => row.isDefault)) await this.setDefault(active[0]!.id);
    return this.list(connectionId);
  }

  async setDefault(terminalId: string): Promise<CloverTerminal> {
    return this.deps.db.em().transactional(async (em) => {
      const row = await em.findOne(CloverTerminal, { id: terminalId });
      if (!row) throw new CloverNotFoundError(`no Clover terminal ${terminalId}`);
      if (row.removedAt) throw new CloverStateError('a removed terminal cannot be the default', 'terminal_removed');
      await em.nativeUpdate(CloverTerminal, { connectionId: row.connectionId, isDefault: true }, { isDefault: false });
      row.isDefault = true;
      return row;
    });
  }

  async rename(terminalId: string, name: string): Promise<CloverTerminal> {
    const label = name.trim();
    if (!label) throw new CloverInputError('name must not be empty', 'name');
    if (label.length > 200) throw new CloverInputError('name is longer than 200 characters', 'name');
    const em = this.deps.db.em();
    const row = await em.findOne(CloverTerminal, { id: terminalId });
    if (!row) throw new CloverNotFoundError(`no Clover terminal ${terminalId}`);
    row.name = label;
    await em.flush();
    return row;
  }

  /** Is Cloud Pay Display reachable on the device? The answer is kept on the terminal. */
  async ping(terminalId: string): Promise<PingResult> {
    const { terminal, connection } = await this.withConnection(terminalId);
    const started = performance.now();
    let result: PingResult;
    try {
      await this.deps.restPay.ping(connection, terminal);
      result = { ok: true, message: 'device answered', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      result = { ok: false, message: (error as Error).message, latencyMs: Math.round(performance.now() - started) };
    }
    await this.deps.db.em().nativeUpdate(CloverTerminal, { id: terminalId }, { lastPingAt: new Date(), lastPingOk: result.ok, lastPingMessage: result.message });
    return result;
  }

  async showWelcome(terminalId: string): Promise<void> {
    const { terminal, connection } = await this.withConnection(terminalId);
    await this.deps.restPay.welcome(connection, terminal);
  }

  /** The terminal a payment goes to: the one named, or the connection's default. */
  async resolve(connectionId: string, terminalId?: string | null): Promise<CloverTerminal> {
    const em = this.deps.db.em();
    if (terminalId) {
      const row = await em.findOne(CloverTerminal, { id: terminalId });
      if (!row || row.connectionId !== connectionId) throw new CloverInputError(`terminal ${terminalId} does not belong to connection ${connectionId}`, 'terminalId');
      if (row.removedAt) throw new CloverInputError(`terminal ${terminalId} is no longer listed by Clover`, 'terminalId');
      return row;
    }
    const fallback = await em.findOne(CloverTerminal, { connectionId, isDefault: true, removedAt: null });
    if (!fallback) throw new CloverInputError('no terminal given and the connection has no default terminal (sync terminals first)', 'terminalId');
    return fallback;
  }

  private async withConnection(terminalId: string): Promise<{ terminal: CloverTerminal; connection: CloverConnection }> {
    const terminal = await this.get(terminalId);
    const connection = await this.deps.db.em().findOne(CloverConnection, { id: terminal.connectionId });
    if (!connection) throw new CloverNotFoundError(`no Clover connection ${terminal.connectionId}`);
    return { terminal, connection };
  }
}
