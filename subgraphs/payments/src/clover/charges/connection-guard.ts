import type { Database } from '@switchboard/kit';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverNotFoundError, CloverStateError } from '../domain-errors.js';

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
