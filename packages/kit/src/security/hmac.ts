import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string | Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Constant-time equality for secrets. Both sides are hashed first so that neither the
 * content nor the length of the expected value leaks through timing.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/**
 * Whether `presentedHex` (any case) is the hex form of `digest`, compared in constant time.
 * For signatures over a body: both sides are fixed-length digests, so unlike
 * `constantTimeEqual` nothing needs hashing first, and the presented value is decoded once.
 */
export function digestMatchesHex(digest: Buffer, presentedHex: string): boolean {
  if (presentedHex.length !== digest.length * 2 || !HEX.test(presentedHex)) return false;
  return timingSafeEqual(Buffer.from(presentedHex, 'hex'), digest);
}

const HEX = /^[0-9a-fA-F]*$/;
