import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Money } from '@switchboard/kit';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A money movement the payments subgraph knows of: a Clover charge, refund or credit, or a WEX
 * virtual card issued to pay a vendor. Payments owns the federated `Payment` entity.
 */
@Entity({ tableName: 'payment' })
@Index({ properties: ['customerEmail', 'createdAt'] })
@Index({ properties: ['invoiceId'] })
@Index({ properties: ['orderId'] })
@Index({ properties: ['parentPaymentId'] })
@Index({ properties: ['providerPaymentId'] })
@Index({ properties: ['status', 'updatedAt'] })
@Unique({ properties: ['idempotencyKey'] })
@ObjectType('Payment')
@Directive('@key(fields: "id")')
export class Payment {
  [OptionalProps]?: 'createdAt' | 'amount' | 'refundedAmountValue' | 'attempts' | 'baseAmount' | 'surchargeAmount' | 'refundedAmount';

  @PrimaryKey({ type: 'string', length: 64 })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 254, nullable: true })
  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, { description: '`charge`, `refund`, `credit` or `virtual_card`.' })
  kind!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, { description: '`clover` or `wex`.' })
  provider!: string;

  @Property({ type: 'string', length: 30 })
  @Field(() => String, {
    description: '`pending`, `authorized` (not captured yet), `succeeded`, `partially_refunded`, `refunded`, `failed`, `voided`.',
  })
  status!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  amountValue!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  @Field(() => String, { nullable: true, description: 'Invoice or order the payment settles.' })
  reference?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  updatedAt?: Date | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'Billing invoice this payment settles.' })
  invoiceId?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, { nullable: true, description: 'Commerce order this payment settles.' })
  orderId?: string | null;

  /** Provider account that moved the money (a Clover connection id). */
  @Property({ type: 'string', length: 36, nullable: true })
  connectionId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true, description: "The provider's id (Clover charge, refund or credit id)." })
  providerPaymentId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true, description: 'For a refund: the id of the payment it refunds.' })
  parentPaymentId?: string | null;

  /** Scoped client key (`<account>:<kind>:<key>`): the same request twice is one payment. */
  @Property({ type: 'string', length: 255, nullable: true })
  idempotencyKey?: string | null;

  /** SHA-256 of the request behind `idempotencyKey`, to refuse a key reused for another request. */
  @Property({ type: 'string', length: 64, nullable: true })
  requestHash?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true, description: '`card` (card token or keyed card) or `terminal`.' })
  method?: string | null;

  /** Card-not-present indicator sent to the provider (`moto` back office, `ecom` online). */
  @Property({ type: 'string', length: 10, nullable: true })
  channel?: string | null;

  @Property({ type: 'string', length: 36, nullable: true })
  terminalId?: string | null;

  /** How the provider was asked (`charge`, `refund_full`, `refund_partial`, `terminal_payment`…), to ask again the same way. */
  @Property({ type: 'string', length: 30, nullable: true })
  providerOperation?: string | null;

  /** Single-use provider card token, kept only while the payment is pending (to resolve it). */
  @Property({ type: 'string', length: 128, nullable: true })
  sourceToken?: string | null;

  /** The amount before the card processing fee (`amount` = base + surcharge). */
  @Property({ type: 'decimal', precision: 18, scale: 2, nullable: true })
  baseAmountValue?: string | null;

  @Property({ type: 'decimal', precision: 18, scale: 2, nullable: true })
  surchargeAmountValue?: string | null;

  /** For a charge: how much of it has been refunded (or is being refunded). */
  @Property({ type: 'decimal', precision: 18, scale: 2, default: '0' })
  refundedAmountValue = '0';

  @Property({ type: 'string', length: 20, nullable: true })
  @Field(() => String, { nullable: true, description: 'VISA, MC, AMEX, DISCOVER, DINERS or JCB.' })
  cardBrand?: string | null;

  @Property({ type: 'string', length: 4, nullable: true })
  @Field(() => String, { nullable: true })
  cardLast4?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true, description: 'Why it failed, e.g. `card_declined`, `request_rejected`.' })
  failureCode?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The provider's message, e.g. `DECLINED`." })
  failureMessage?: string | null;

  /** When the provider created it (the 180-day refund window counts from here). */
  @Property({ type: 'datetime', nullable: true })
  providerCreatedAt?: Date | null;

  /** Calls made to the provider for this payment (retries of a pending one included). */
  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Field(() => Money)
  get amount(): Money {
    return Money.of(this.amountValue, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'The amount before the card processing fee.' })
  get baseAmount(): Money | null {
    return this.baseAmountValue == null ? null : Money.of(this.baseAmountValue, this.currency);
  }

  @Field(() => Money, { nullable: true, description: 'Card processing fee included in `amount`.' })
  get surchargeAmount(): Money | null {
    return this.surchargeAmountValue == null ? null : Money.of(this.surchargeAmountValue, this.currency);
  }

  @Field(() => Money, { description: 'For a charge: refunded so far (refunds in progress included).' })
  get refundedAmount(): Money {
    return Money.of(this.refundedAmountValue ?? '0', this.currency);
  }
}
