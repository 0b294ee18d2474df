import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { CloverEnvironment } from '../config.js';

export type ConnectionStatus = 'not_connected' | 'connected' | 'needs_reauthorization' | 'disconnected';

/**
 * One merchant's link to a Clover app: app credentials, the environment, OAuth tokens and the
 * merchant's settings. Every secret column holds an AES-256-GCM sealed value (`v1.<keyId>.…`),
 * never the secret itself.
 */
@Entity({ tableName: 'clover_connection' })
@Unique({ properties: ['environment', 'merchantId'] })
export class CloverConnection {
  [OptionalProps]?: 'tokenVersion' | 'status' | 'currency' | 'surchargePercent' | 'surchargeFixed' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 200 })
  label!: string;

  @Property({ type: 'string', length: 20 })
  environment!: CloverEnvironment;

  /** Known once the merchant authorizes (or entered up front). */
  @Property({ type: 'string', length: 32, nullable: true })
  merchantId?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  merchantName?: string | null;

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Property({ type: 'text' })
  appSecretSealed!: string;

  /** Remote App ID: the X-POS-Id of REST Pay Display calls. */
  @Property({ type: 'string', length: 128, nullable: true })
  remoteAppId?: string | null;

  /** Legacy single-merchant token from Dashboard > Setup > API Tokens (fallback). */
  @Property({ type: 'text', nullable: true })
  restApiTokenSealed?: string | null;

  /** Ecommerce private key (last-resort fallback: ecommerce API and merchant lookup only). */
  @Property({ type: 'text', nullable: true })
  ecommercePrivateKeySealed?: string | null;

  @Property({ type: 'text', nullable: true })
  accessTokenSealed?: string | null;

  @Property({ type: 'datetime', nullable: true })
  accessTokenExpiresAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  refreshTokenSealed?: string | null;

  @Property({ type: 'datetime', nullable: true })
  refreshTokenExpiresAt?: Date | null;

  /** Bumped with every token change: the compare-and-set that makes a refresh happen once. */
  @Property({ type: 'integer', default: 0 })
  tokenVersion = 0;

  /** Replica holding the right to spend the (single-use) refresh token, and until when. */
  @Property({ type: 'string', length: 64, nullable: true })
  refreshLeaseOwner?: string | null;

  @Property({ type: 'datetime', nullable: true })
  refreshLeaseUntil?: Date | null;

  /** Key that sealed this row's secrets (rotation: rows still on an old key are easy to find). */
  @Property({ type: 'string', length: 32, nullable: true })
  secretsKeyId?: string | null;

  @Property({ type: 'string', length: 30, default: 'not_connected' })
  status: ConnectionStatus = 'not_connected';

  @Property({ type: 'string', length: 3, default: 'USD' })
  currency = 'USD';

  /** Card processing fee added to collected amounts: percent of the amount … */
  @Property({ type: 'decimal', precision: 7, scale: 4, default: '0' })
  surchargePercent = '0';

  /** … plus a fixed amount in the connection's currency. */
  @Property({ type: 'decimal', precision: 18, scale: 2, default: '0' })
  surchargeFixed = '0';

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', nullable: true })
  connectedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastRefreshedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
