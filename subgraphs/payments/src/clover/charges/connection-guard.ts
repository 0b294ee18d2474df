import type { Database } from '@switchboard/kit';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverInputError, CloverNotFoundError, CloverStateError } from '../domain-errors.js';
import type { CloverTerminal } from '../terminals/clover-terminal.js';
import type { CloverTerminals } from '../terminals/terminal-service.js';
import type { CollectRequest } from './collect-request.js';

/** Where a collection or a credit moves money: the connection, its currency and, for a terminal payment, the device. */
export interface MoneyTarget {
  connection: CloverConnection;
  currency: string;
  terminal?: CloverTerminal;
}

export async function loadConnection(db: Database, id: string): Promise<CloverConnection> {
  const row = await db.em().findOne(CloverConnection, { id });
  if (!row) throw new CloverNotFoundError(`no Clover connection ${id}`);
  return row;
}

/**
 * Refuses, before any payment row exists, a collection the connection cannot make: a dead OAuth
 * connection, or REST Pay Display without OAuth (seed quirk 22).
 */
export function assertUsable(connection: CloverConnection, surface: 'ecommerce' | 'terminal'): void {
  if (connection.status === 'needs_reauthorization') {
    throw new CloverStateError(`Clover connection "${connection.label}" must be re-authorized by the merchant (${connection.lastError ?? 'refresh token refused'})`, 'reauthorization_required');
  }
  const oauth = !!connection.accessTokenSealed;
  if (surface === 'terminal' && !oauth) {
    throw new CloverStateError('terminal payments need an OAuth connection (REST Pay Display refuses other tokens): connect the merchant first', 'not_connected');
  }
  if (surface === 'terminal' && connection.environment === 'production' && !connection.remoteAppId) {
    throw new CloverStateError('production terminal payments need the Remote App ID (RAID) as X-POS-Id: set remoteAppId on the connection', 'raid_missing');
  }
  if (surface === 'ecommerce' && !oauth && !connection.ecommercePrivateKeySealed) {
    throw new CloverStateError('card payments need an OAuth connection or an ecommerce private key on the connection', 'not_connected');
  }
}

/**
 * The connection (and terminal) a collection or credit goes through, refused before any payment
 * row exists when it cannot: another currency than the connection's, an unusable connection or
 * an unknown terminal. `verb` words the currency refusal.
 */
export async function resolveTarget(db: Database, terminals: CloverTerminals, request: CollectRequest, verb: 'collects' | 'pays out'): Promise<MoneyTarget> {
  const connection = await loadConnection(db, request.connectionId);
  const currency = request.currency ?? connection.currency;
  if (currency !== connection.currency) throw new CloverInputError(`this connection ${verb} ${connection.currency}, not ${currency}`, 'currency');
  assertUsable(connection, request.source.kind === 'terminal' ? 'terminal' : 'ecommerce');
  const terminal = request.source.kind === 'terminal' ? await terminals.resolve(connection.id, request.source.terminalId) : undefined;
  return { connection, currency, terminal };
}
