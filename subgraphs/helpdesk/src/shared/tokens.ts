import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '@switchboard/kit';

/** A magic-link token: 256 random bits, URL-safe. Only its hash is stored. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export const ACCESS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** An approval token: a UUID v4 without dashes (122 random bits), as the seed specifies. */
export function newApprovalToken(): string {
  return randomUUID().replace(/-/g, '');
}

export const APPROVAL_TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** Tokens are stored as SHA-256 hashes: a copy of the database opens no ticket and decides nothing. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}
