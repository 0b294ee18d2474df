import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@switchboard/kit';

/** `sbk_<service code>_<43 random base64url characters>`; only its SHA-256 is stored. */
export function generateApiKey(serviceCode: string): string {
  return `sbk_${serviceCode}_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** What may be shown of a key: enough to tell two apart, too little to use. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, Math.min(key.length, 16));
}

