import type { CloverConnection } from './clover-connection.js';
import type { ConnectionSecrets, SecretField } from './connection-secrets.js';

const COLUMNS: [SecretField, 'appSecretSealed' | 'restApiTokenSealed' | 'ecommercePrivateKeySealed' | 'accessTokenSealed' | 'refreshTokenSealed'][] = [
  ['app_secret', 'appSecretSealed'],
  ['rest_api_token', 'restApiTokenSealed'],
  ['ecommerce_private_key', 'ecommercePrivateKeySealed'],
  ['access_token', 'accessTokenSealed'],
  ['refresh_token', 'refreshTokenSealed'],
];

/**
 * Key rotation: a row whose secrets were sealed with an older key gets every secret re-sealed with
 * the current key (returned as column values to write), so `secrets_key_id` always names the one
 * key that opens the whole row. Empty when the row is already on the current key.
 */
export function resealedSecrets(row: CloverConnection, secrets: ConnectionSecrets): Partial<CloverConnection> {
  if (row.secretsKeyId === secrets.currentKeyId) return {};
  const changes: Partial<CloverConnection> = { secretsKeyId: secrets.currentKeyId };
  for (const [field, column] of COLUMNS) {
    const sealed = row[column];
    if (sealed) changes[column] = secrets.seal(row.id, field, secrets.open(row.id, field, sealed));
  }
  return changes;
}
