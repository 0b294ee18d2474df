import { currencyOf } from '../prestashop/config.js';
import { shopTime } from '../prestashop/ps-values.js';
import { freshness, PROCESSED, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import type { ProcessingStore } from '../prestashop/processing-store.js';
import { stored } from '../orders/order-snapshot.js';
import { Coupon, couponIdOf, type CouponSource } from './coupon.js';
import type { CouponPayload } from './coupon-payload.js';

/** A cart rule or specific price was created, updated or deleted in the back office. */
export function applyCouponEvent(
  store: ProcessingStore,
  ctx: ApplyContext,
  meta: EventMeta,
  payload: { source: CouponSource; coupon: CouponPayload },
  rawAfterData: Record<string, unknown>,
): ApplyOutcome {
  const { coupon } = payload;
  const prestashopId = coupon.id;
  const id = couponIdOf(payload.source, prestashopId);
  const existing = store.coupons.get(id);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  for (const currencyId of [coupon.reduction_currency, coupon.minimum_amount_currency]) {
    if (currencyId && !currencyOf(ctx.config, currencyId)) {
      ctx.log('WARNING', `coupon ${id} uses id_currency ${currencyId}, which PRESTASHOP_CURRENCIES does not name; its amounts show without currency`, { couponId: id });
    }
  }
  const row = existing ?? store.add(Object.assign(new Coupon(), { id, createdAt: ctx.now }));
  const deleted = meta.actionType === 'deleted';
  Object.assign(row, {
    source: payload.source,
    prestashopId,
    code: coupon.code ?? null,
    name: coupon.name ?? null,
    description: coupon.description ?? null,
    accountId: coupon.id_customer || null,
    validFrom: shopTime(coupon.date_from, ctx.config.timezone),
    validTo: shopTime(coupon.date_to, ctx.config.timezone),
    quantity: coupon.quantity ?? null,
    quantityPerUser: coupon.quantity_per_user ?? null,
    priority: coupon.priority ?? null,
    partialUse: coupon.partial_use ?? null,
    minimumAmount: stored(coupon.minimum_amount),
    minimumAmountCurrencyId: coupon.minimum_amount_currency ?? null,
    minimumAmountTaxIncluded: coupon.minimum_amount_tax ?? null,
    freeShipping: coupon.free_shipping ?? null,
    reductionPercent: stored(coupon.reduction_percent),
    reductionAmount: stored(coupon.reduction_amount),
    reductionCurrencyId: coupon.reduction_currency ?? null,
    reductionTaxIncluded: coupon.reduction_tax ?? null,
    reductionProductId: coupon.reduction_product || null,
    giftProductId: coupon.gift_product || null,
    highlight: coupon.highlight ?? null,
    active: deleted ? false : (coupon.active ?? null),
    deletedAt: deleted ? (row.deletedAt ?? meta.occurredAt) : null,
    data: JSON.stringify(rawAfterData),
    lastEventId: meta.sourceEventId,
    contentHash: meta.contentHash,
    updatedAt: ctx.now,
  });
  store.coupons.set(id, row);
  return PROCESSED;
}
