import type { FastifyPluginAsync } from 'fastify';
import type { EventHandler, ReferenceResolvers, Runnable, ServiceRuntime } from '@switchboard/kit';
import { Coupon } from '../coupons/coupon.js';
import { CouponResolver, CouponUsageResolver } from '../coupons/coupon-resolver.js';
import { CouponUsage } from '../coupons/coupon-usage.js';
import { OrderCoupon } from '../coupons/order-coupon.js';
import { CustomerAddress } from '../customers/customer-address.js';
import { CustomerShopResolver } from '../customers/customer-shop-resolver.js';
import { ShopCustomerAccount } from '../customers/shop-account.js';
import { ShopOrder } from '../orders/order.js';
import { OrderInvoice } from '../orders/order-invoice.js';
import { OrderLine } from '../orders/order-line.js';
import { OrderMessage } from '../orders/order-message.js';
import { OrderPayment } from '../orders/order-payment.js';
import { OrderInvoiceResolver, OrderResolver, orderReference } from '../orders/order-resolver.js';
import { OrderStatusChange } from '../orders/order-status-change.js';
import { PrestashopOperatorResolver } from './operator-resolver.js';
import { PrestashopBatch } from './prestashop-batch.js';
import { prestashopDeps } from './prestashop-deps.js';
import { PrestashopEvent } from './prestashop-event.js';
import { PrestashopLog } from './prestashop-log.js';
import { prestashopProcessingHandler } from './processing-handler.js';
import { StaleEventRequeue } from './stale-event-requeue.js';
import { prestashopWebhookRoutes } from './webhook-route.js';

/**
 * The sales side of the commerce subgraph — PrestaShop intake, shop customers, orders and
 * coupons — as the pieces `service.ts` assembles. Kept in one place so the service file only
 * spreads it next to the other areas.
 */
export const salesArea = {
  entities: [
    PrestashopBatch,
    PrestashopEvent,
    PrestashopLog,
    ShopCustomerAccount,
    CustomerAddress,
    ShopOrder,
    OrderLine,
    OrderStatusChange,
    OrderPayment,
    OrderMessage,
    OrderInvoice,
    Coupon,
    CouponUsage,
    OrderCoupon,
  ] as Function[],
  resolvers: [
    OrderResolver,
    OrderInvoiceResolver,
    CustomerShopResolver,
    CouponResolver,
    CouponUsageResolver,
    PrestashopOperatorResolver,
  ] as Function[],
  referenceResolvers: orderReference as ReferenceResolvers,
  // An intake-only replica (PRESTASHOP_PROCESSING_ENABLED=false) stores batches and leaves their
  // processing to the replicas that consume the requests.
  handlers: (runtime: ServiceRuntime): EventHandler[] => (prestashopDeps(runtime).config.processingEnabled ? [prestashopProcessingHandler(runtime)] : []),
  routes: (async (app, { deps }) => {
    await app.register(prestashopWebhookRoutes(prestashopDeps(deps)));
  }) as FastifyPluginAsync<{ deps: ServiceRuntime }>,
  workers: (runtime: ServiceRuntime): Runnable[] => [new StaleEventRequeue(prestashopDeps(runtime))],
};
