import { randomBytes } from 'node:crypto';

/** Everything the emulated Clover knows; tests may read it to assert what happened upstream. */

export interface CloverApp {
  id: string;
  secret: string;
  /** Remote App ID, required as X-POS-Id on REST Pay Display calls in production. */
  raid: string;
}

export interface CloverDevice {
  id: string;
  serial: string;
  name: string;
  model: string;
  productName: string;
  /** Cloud Pay Display installed and running (seed quirk 21: otherwise nothing works). */
  online: boolean;
  /** What the customer does at the device for the next payment or credit; then `approve` again. */
  nextOutcomes: DeviceOutcome[];
  /** Ping / welcome / display calls it received. */
  screens: string[];
  busy: boolean;
}

export type DeviceOutcome =
  | { result: 'approve'; delayMs?: number }
  | { result: 'decline'; delayMs?: number }
  | { result: 'cancel'; delayMs?: number }
  /** The device completes the payment but the HTTP response never reaches the caller. */
  | { result: 'lose-response'; delayMs?: number };

export interface CloverMerchant {
  id: string;
  name: string;
  /** Ecommerce keys from Dashboard > Ecommerce API Tokens. */
  ecommercePublicKey: string;
  ecommercePrivateKey: string;
  /** Legacy single-merchant REST API token (Dashboard > Setup > API Tokens). */
  restApiToken: string;
  devices: Map<string, CloverDevice>;
}

export interface StoredCard {
  number: string;
  exp_month: string;
  exp_year: string;
  cvv: string;
  brand: string;
}

export interface CardToken {
  id: string;
  merchantId: string;
  card: StoredCard;
  used: boolean;
}

export interface CloverCharge {
  id: string;
  merchantId: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  created: number;
  captured: boolean;
  status: 'succeeded' | 'failed';
  voided: boolean;
  settled: boolean;
  source: { id: string; brand: string; exp_month: string; exp_year: string; first6: string; last4: string };
  description?: string;
  externalReferenceId?: string;
  ecomind: string;
  refNum: string;
  authCode: string;
  /** Where it came from: an ecommerce charge or a REST Pay Display payment on a device. */
  origin: 'ecommerce' | 'terminal';
  externalPaymentId?: string;
  deviceId?: string;
}

export interface CloverRefund {
  id: string;
  merchantId: string;
  charge: string;
  amount: number;
  currency: string;
  created: number;
  via: '/v1/refunds' | '/v1/payments/{id}/refunds';
}

export interface CloverCredit {
  id: string;
  merchantId: string;
  amount: number;
  currency: string;
  created: number;
  source?: { brand: string; last4: string };
  externalReferenceId?: string;
  origin: 'ecommerce' | 'terminal';
}

export interface AccessToken {
  token: string;
  appId: string;
  merchantId: string;
  expiresAt: number;
}

export interface RefreshToken {
  token: string;
  appId: string;
  merchantId: string;
  expiresAt: number;
  used: boolean;
}

export interface AuthCode {
  code: string;
  appId: string;
  merchantId: string;
  /** `v1` codes come from the deprecated `/oauth/authorize` path and fail at `/oauth/v2/token`. */
  version: 'v1' | 'v2';
  used: boolean;
  expiresAt: number;
}

export class CloverEmulatorState {
  readonly apps = new Map<string, CloverApp>();
  readonly merchants = new Map<string, CloverMerchant>();
  readonly authCodes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  /** PAKMS `apiAccessKey` → merchant id. */
  readonly pakmsKeys = new Map<string, string>();
  readonly cardTokens = new Map<string, CardToken>();
  readonly charges = new Map<string, CloverCharge>();
  readonly refunds = new Map<string, CloverRefund>();
  readonly credits = new Map<string, CloverCredit>();
  /** `merchant:Idempotency-Key` → the first answer (a promise while it is being produced). */
  readonly idempotent = new Map<string, Promise<{ status: number; body: unknown }>>();
  /** `merchant:card number` → sales so far (seed quirk 16: per-card velocity limit). */
  readonly salesPerCard = new Map<string, number>();

  merchantOf(id: string): CloverMerchant | undefined {
    return this.merchants.get(id);
  }
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Clover-style 13-character upper-case id. */
export function cloverId(): string {
  const bytes = randomBytes(13);
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

export function randomToken(prefix = ''): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/** Clover v2 access tokens are JWTs; shape only, the emulator looks them up by value. */
export function jwtLike(): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  return `${header}.${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}
