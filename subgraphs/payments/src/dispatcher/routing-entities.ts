import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A merchant's routes as edited by an admin. It replaces the configured entry for the merchant as
 * a whole; `removed` hides a configured entry.
 */
@Entity({ tableName: 'clover_dispatcher_merchant' })
export class DispatcherMerchantRoute {
  [OptionalProps]?: 'removed';

  @PrimaryKey({ type: 'string', length: 32 })
  merchantId!: string;

  /** The customer installation's `/payment/clover/webhook` (seed `MERCHANT_ROUTING_JSON`). */
  @Property({ type: 'text', nullable: true })
  webhookUrl?: string | null;

  /** The customer installation's base URL (seed `MERCHANT_ODOO_BASE_JSON`), for `/clover/launch`. */
  @Property({ type: 'text', nullable: true })
  baseUrl?: string | null;

  /** Human label carried in the signed state. */
  @Property({ type: 'string', length: 200, nullable: true })
  customer?: string | null;

  @Property({ type: 'boolean', default: false })
  removed = false;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  @Property({ type: 'string', length: 200, nullable: true })
  updatedBy?: string | null;
}

/** An admin's change to the redirect allow-list: `allowed: false` removes a configured host. */
@Entity({ tableName: 'clover_dispatcher_host' })
export class DispatcherAllowedHost {
  @PrimaryKey({ type: 'string', length: 260 })
  host!: string;

  @Property({ type: 'boolean' })
  allowed!: boolean;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  @Property({ type: 'string', length: 200, nullable: true })
  updatedBy?: string | null;
}

/** Dispatcher settings an admin overrode (`app_id`); a null value falls back to configuration. */
@Entity({ tableName: 'clover_dispatcher_setting' })
export class DispatcherSetting {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  value?: string | null;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  @Property({ type: 'string', length: 200, nullable: true })
  updatedBy?: string | null;
}

export const DISPATCHER_ENTITIES = [DispatcherMerchantRoute, DispatcherAllowedHost, DispatcherSetting];
