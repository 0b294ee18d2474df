import { digestMatchesHex, hmacSha256 } from '@switchboard/kit';

/** The header Clover signs webhooks with and the dispatcher passes on untouched. */
export const SIGNATURE_HEADER = 'x-clover-auth-code';

/** `X-Clover-Auth-Code`: lower-case hex of HMAC-SHA256(app secret, raw body bytes). */
export function signWebhook(appSecret: string, raw: Buffer | string): string {
  return hmacSha256(appSecret, raw).toString('hex');
}

export type SignatureCheck = 'valid' | 'missing' | 'mismatch';

/**
 * Checks the header against every candidate secret (the configured app secret and its
 * predecessor during a rotation, or the secrets of the apps the payload names), each in
 * constant time over the raw bytes as received.
 */
export function checkSignature(raw: Buffer, header: string | undefined, secrets: readonly string[]): SignatureCheck {
  const presented = header?.trim();
  if (!presented) return 'missing';
  let valid = false;
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const secret of secrets) valid = digestMatchesHex(hmacSha256(secret, raw), presented) || valid;
  return valid ? 'valid' : 'mismatch';
}
