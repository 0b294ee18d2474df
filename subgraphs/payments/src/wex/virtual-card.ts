import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * - `issuing`: WEX is being asked (a second identical request waits for the answer).
 * - `issued`: WEX issued the card; it is being (or was) delivered to Odoo.
 * - `declined`: WEX refused the request; final for this payment id.
 * - `failed`: nothing was issued (credentials, WEX down); the same request may be re-sent.
 * - `unknown`: WEX may have issued a card we never saw; never retried automatically.
 */
export type VirtualCardStatus = 'issuing' | 'issued' | 'declined' | 'failed' | 'unknown';

/**
 * One Odoo card request (`x_requests` record) and the WEX virtual card issued for it. Its id is
 * also the id of the `Payment` (kind `virtual_card`, provider `wex`) that shows it in the graph.
 * The full card number and security code are kept only sealed (AES-256-GCM), for re-delivery.
 */
@Entity({ tableName: 'wex_virtual_card' })
@Index({ properties: ['status', 'updatedAt'] })
@Index({ properties: ['createdAt'] })
export class WexVirtualCard {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'wexCalls';

  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  /** Odoo's `x_name`: the idempotency key, and what `/ack` names. */
  @Property({ type: 'string', length: 200 })
  @Unique()
  odooPaymentId!: string;

  /** Odoo's `_id` as JSON text, so a replay echoes it with its type (number or string). */
  @Property({ type: 'string', length: 220 })
  odooRequestId!: string;

  @Property({ type: 'string', length: 200 })
  vendorName!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amountValue!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 200 })
  invoiceNumber!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  employeeName?: string | null;

  @Property({ type: 'string', length: 20 })
  status!: VirtualCardStatus;

  /** HTTP status answered to Odoo (and `status` of the forwarded result). */
  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** How many times WEX was asked for this payment id (a failed request may be re-sent). */
  @Property({ type: 'integer' })
  wexCalls: number = 1;

  @Property({ type: 'string', length: 4, nullable: true })
  cardLastFour?: string | null;

  @Property({ type: 'string', length: 2, nullable: true })
  cardExpirationMonth?: string | null;

  @Property({ type: 'string', length: 4, nullable: true })
  cardExpirationYear?: string | null;

  /** `{ number, securityCode }` sealed with the card keyring; never plaintext. */
  @Property({ type: 'text', nullable: true })
  cardSealed?: string | null;

  /** Id of the key that sealed the card, to find rows still sealed with an old key. */
  @Property({ type: 'string', length: 32, nullable: true })
  cardKeyId?: string | null;

  /** The success delivery to Odoo: its id is the `_delivery_id` Odoo de-duplicates on. */
  @Property({ type: 'string', length: 64, nullable: true })
  deliveryId?: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** Also the start of the current WEX call while `issuing` (a stale one is given up on). */
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
