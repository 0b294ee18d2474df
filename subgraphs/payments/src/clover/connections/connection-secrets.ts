import { decryptSecret, encryptSecret, type Keyring } from '@switchboard/kit';

export type SecretField = 'app_secret' | 'rest_api_token' | 'ecommerce_private_key' | 'access_token' | 'refresh_token';

/**
 * Seals and opens a connection's secrets. The connection id and the column name are bound into
 * each sealed value, so a value copied to another row or column does not open.
 */
export class ConnectionSecrets {
  constructor(private readonly keyring: Keyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  seal(connectionId: string, field: SecretField, value: string): string {
    return encryptSecret(value, this.keyring, `clover_connection:${connectionId}:${field}`);
  }

  open(connectionId: string, field: SecretField, sealed: string): string {
    return decryptSecret(sealed, this.keyring, `clover_connection:${connectionId}:${field}`);
  }

  openOptional(connectionId: string, field: SecretField, sealed: string | null | undefined): string | undefined {
    return sealed ? this.open(connectionId, field, sealed) : undefined;
  }
}
