import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (OAuth tokens, app secrets, card data): AES-256-GCM with a random 96-bit IV.
 * The sealed string names the key that sealed it, so keys can be rotated: new writes use the
 * current key, reads accept any key still in the keyring.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */

export interface EncryptionKey {
  /** Short stable name stored with every sealed value, e.g. `2025-01` or `k1`. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface Keyring {
  /** Seals new values. */
  current: EncryptionKey;
  /** Still opens values sealed before a rotation. */
  previous?: EncryptionKey[];
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A key from its base64 (or base64url) text; throws naming what is wrong, never the key. */
export function encryptionKeyFromBase64(id: string, base64: string): EncryptionKey {
  if (!KEY_ID.test(id)) throw new Error('key id must be 1-32 characters of A-Z, a-z, 0-9, _ or -');
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`key must be 32 bytes encoded in base64 (got ${key.length} bytes)`);
  return { id, key };
}

/**
 * Parses `id:base64,id:base64` (previous keys kept for reading after a rotation).
 * An empty or missing value gives no keys.
 */
export function parseKeyList(value: string | undefined): EncryptionKey[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error('each previous key must be written id:base64');
    return encryptionKeyFromBase64(entry.slice(0, colon).trim(), entry.slice(colon + 1));
  });
}

/**
 * Seals `plaintext`. `context` (e.g. `clover_connection:42:access_token`) is authenticated but
 * not stored: a sealed value copied to another row or column no longer opens.
 */
export function encryptSecret(plaintext: string, keyring: Keyring, context = ''): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}.${id}.${context}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Opens a value sealed by `encryptSecret` with any key of the keyring. */
export function decryptSecret(sealed: string, keyring: Keyring, context = ''): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not a sealed secret');
  const [version, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const key = [keyring.current, ...(keyring.previous ?? [])].find((candidate) => candidate.id === id);
  if (!key) throw new DecryptionError(`sealed with key "${id}", which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${version}.${id}.${context}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError(`secret sealed with key "${id}" failed authentication (wrong key, context or tampered value)`);
  }
}

/** The id of the key that sealed `sealed`, or undefined if it is not a sealed secret. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}
