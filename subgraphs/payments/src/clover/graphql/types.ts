import { Money } from '@switchboard/kit';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { CloverConnection } from '../connections/clover-connection.js';

@ObjectType('CloverSurcharge', { description: 'Card processing fee added to collected amounts: percent of the amount plus a fixed amount.' })
export class CloverSurchargeType {
  @Field(() => String, { description: 'Percent, e.g. "3.0000".' })
  percent!: string;

  @Field(() => Money)
  fixedAmount!: Money;

  @Field(() => Boolean)
  enabled!: boolean;
}

@ObjectType('CloverConnection', { description: 'A merchant connected to a Clover app. Secrets are never exposed.' })
export class CloverConnectionType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  label!: string;

  @Field(() => String, { description: '`sandbox` or `production`.' })
  environment!: string;

  @Field(() => String, { nullable: true })
  merchantId?: string | null;

  @Field(() => String, { nullable: true })
  merchantName?: string | null;

  @Field(() => String)
  appId!: string;

  @Field(() => String, { nullable: true, description: 'Remote App ID, sent as X-POS-Id to terminals.' })
  remoteAppId?: string | null;

  @Field(() => String, { description: '`not_connected`, `connected`, `needs_reauthorization` or `disconnected`.' })
  status!: string;

  @Field(() => Boolean, { description: 'OAuth tokens are stored.' })
  oauthConnected!: boolean;

  @Field(() => Date, { nullable: true })
  accessTokenExpiresAt?: Date | null;

  @Field(() => Boolean)
  hasRestApiToken!: boolean;

  @Field(() => Boolean)
  hasEcommercePrivateKey!: boolean;

  @Field(() => String)
  currency!: string;

  @Field(() => CloverSurchargeType)
  surcharge!: CloverSurchargeType;

  @Field(() => String, { nullable: true })
  lastError?: string | null;

  @Field(() => Date, { nullable: true })
  connectedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  lastRefreshedAt?: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  static of(row: CloverConnection): CloverConnectionType {
    const percent = Number(row.surchargePercent);
    return Object.assign(new CloverConnectionType(), {
      id: row.id,
      label: row.label,
      environment: row.environment,
      merchantId: row.merchantId ?? null,
      merchantName: row.merchantName ?? null,
      appId: row.appId,
      remoteAppId: row.remoteAppId ?? null,
      status: row.status,
      oauthConnected: !!row.accessTokenSealed,
      accessTokenExpiresAt: row.accessTokenExpiresAt ?? null,
      hasRestApiToken: !!row.restApiTokenSealed,
      hasEcommercePrivateKey: !!row.ecommercePrivateKeySealed,
      currency: row.currency,
      surcharge: Object.assign(new CloverSurchargeType(), {
        percent: Number(row.surchargePercent).toFixed(4),
        fixedAmount: Money.of(row.surchargeFixed, row.currency),
        enabled: percent > 0 || Number(row.surchargeFixed) > 0,
      }),
      lastError: row.lastError ?? null,
      connectedAt: row.connectedAt ?? null,
      lastRefreshedAt: row.lastRefreshedAt ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
}

@ObjectType('CloverConnectUrl')
export class CloverConnectUrlType {
  @Field(() => String, { description: 'Send the merchant here (Clover login and consent).' })
  url!: string;

  @Field(() => String)
  state!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType('CloverConnectionTest')
export class CloverConnectionTestType {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { nullable: true })
  merchantName?: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('CloverTerminalPing')
export class CloverTerminalPingType {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String)
  message!: string;

  @Field(() => Int)
  latencyMs!: number;
}

@InputType('CreateCloverConnectionInput')
export class CreateCloverConnectionInput {
  @Field(() => String)
  label!: string;

  @Field(() => String, { description: '`sandbox` or `production` (picks the Clover hosts).' })
  environment!: string;

  @Field(() => String, { nullable: true, description: 'Known up front, or learnt when the merchant authorizes.' })
  merchantId?: string | null;

  @Field(() => String)
  appId!: string;

  @Field(() => String)
  appSecret!: string;

  @Field(() => String, { nullable: true })
  remoteAppId?: string | null;

  @Field(() => String, { nullable: true, description: 'Legacy REST API token (fallback when OAuth is not connected).' })
  restApiToken?: string | null;

  @Field(() => String, { nullable: true, description: 'Ecommerce private key (fallback for card payments).' })
  ecommercePrivateKey?: string | null;

  @Field(() => String, { nullable: true, description: 'USD (default) or CAD.' })
  currency?: string | null;
}

@InputType('UpdateCloverConnectionInput', { description: 'Omitted fields stay; null clears an optional credential.' })
export class UpdateCloverConnectionInput {
  @Field(() => String, { nullable: true })
  label?: string;

  @Field(() => String, { nullable: true })
  appSecret?: string;

  @Field(() => String, { nullable: true })
  remoteAppId?: string | null;

  @Field(() => String, { nullable: true })
  restApiToken?: string | null;

  @Field(() => String, { nullable: true })
  ecommercePrivateKey?: string | null;

  @Field(() => String, { nullable: true })
  currency?: string;
}

@InputType('CardInput', { description: 'A card keyed in by staff. Sent to Clover for a token; never stored or logged.' })
export class CardInputType {
  @Field(() => String)
  number!: string;

  @Field(() => String)
  expMonth!: string;

  @Field(() => String, { description: '2 or 4 digits.' })
  expYear!: string;

  @Field(() => String)
  cvv!: string;
}

@InputType('CollectPaymentInput')
export class CollectPaymentInput {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => String, { description: 'Client-chosen key: the same key and request again return the same payment (one charge).' })
  idempotencyKey!: string;

  @Field(() => String, { description: 'Amount before the card processing fee, e.g. "120.00".' })
  amount!: string;

  @Field(() => String, { nullable: true, description: "Defaults to the connection's currency." })
  currency?: string | null;

  @Field(() => String, { nullable: true, description: "Single-use token from Clover's hosted iframe (clv_…)." })
  cardToken?: string | null;

  @Field(() => CardInputType, { nullable: true })
  card?: CardInputType | null;

  @Field(() => Boolean, { nullable: true, description: "Collect on the connection's default terminal." })
  terminal?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Collect on this terminal.' })
  terminalId?: string | null;

  @Field(() => String, { nullable: true })
  invoiceId?: string | null;

  @Field(() => String, { nullable: true })
  orderId?: string | null;

  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Add the connection's surcharge (default true)." })
  applySurcharge?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Authorize now, capture later (cards only).' })
  authorizeOnly?: boolean | null;

  @Field(() => String, { nullable: true, description: '`moto` (default, staff) or `ecom` (customer online).' })
  channel?: string | null;
}

@InputType('IssueCreditInput', { description: 'Money to a card without an original charge.' })
export class IssueCreditInput {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => String)
  idempotencyKey!: string;

  @Field(() => String)
  amount!: string;

  @Field(() => String, { nullable: true })
  currency?: string | null;

  @Field(() => String, { nullable: true })
  cardToken?: string | null;

  @Field(() => CardInputType, { nullable: true })
  card?: CardInputType | null;

  @Field(() => Boolean, { nullable: true })
  terminal?: boolean | null;

  @Field(() => ID, { nullable: true })
  terminalId?: string | null;

  @Field(() => String, { nullable: true })
  invoiceId?: string | null;

  @Field(() => String, { nullable: true })
  orderId?: string | null;

  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType('RefundPaymentInput')
export class RefundPaymentInput {
  @Field(() => ID, { description: 'The charge to refund.' })
  paymentId!: string;

  @Field(() => String, { nullable: true, description: 'Omit to refund everything still refundable.' })
  amount?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => String, { description: 'The same key again returns the same refund.' })
  idempotencyKey!: string;
}
