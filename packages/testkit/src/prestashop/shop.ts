import { phpFloat, type PhpFloat } from './php-json.js';
import { phpDate, transactionHash, type ModuleEvent } from './module-event.js';

/**
 * A simulated PrestaShop 8 shop with the odoo_sales_sync module installed. Each action of the
 * shop's life (a customer registers, an order is validated, an employee ships it…) emits the
 * events the module's hooks would capture, with the module's field sets (OdooSalesEventDetector:
 * 70+ fields per order line, 40+ per cart rule) and its quirks:
 * - ids and flags of ObjectModel reads are strings (`"id_default_group": "3"`, `"active": "1"`);
 * - order amounts are PHP floats, invoice and payment amounts DECIMAL(20,6) strings;
 * - actionOrderStatusUpdate fires before the new state is saved: its snapshot shows the old
 *   `current_state` and the new one is only in `context_data.new_status_id`;
 * - address hooks become `customer` / `updated` events carrying the address, not the customer;
 * - a status change also fires actionObjectOrderUpdateAfter and actionOrderStatusPostUpdate,
 *   so one change produces several events with overlapping data;
 * - cart rule names are multilingual (`{"1": "..."}`), and `[]` when unset.
 * Deterministic for a given seed.
 */

export interface ShopCustomer {
  id: number;
  email: string;
  firstname: string;
  lastname: string;
  groupId: number;
  newsletter: boolean;
  dateAdd: string;
  addresses: number[];
}

export interface ShopProduct {
  id: number;
  attributeId: number;
  name: string;
  reference: string;
  ean13: string;
  price: number;
  weight: number;
}

export interface ShopOrderLine {
  idOrderDetail: number;
  product: ShopProduct;
  quantity: number;
  refunded: number;
}

export interface ShopOrder {
  id: number;
  reference: string;
  customer: ShopCustomer;
  cartId: number;
  state: number;
  lines: ShopOrderLine[];
  history: { id: number; state: number; employee: number; date: string }[];
  payments: { id: number; amount: number; transactionId: string; date: string; cardLast4: string }[];
  messages: { id: number; message: string; date: string }[];
  dateAdd: string;
  dateUpd: string;
  shippingNumber: string;
  discount: number;
  shipping: number;
  coupon?: ShopCoupon;
  invoiceId?: number;
}

export interface ShopCoupon {
  id: number;
  code: string;
  name: string;
  reductionPercent: number;
  reductionAmount: number;
  freeShipping: boolean;
  quantity: number;
}

export const STATE_NAMES: Record<number, string> = {
  1: 'Awaiting check payment',
  2: 'Payment accepted',
  3: 'Processing in progress',
  4: 'Shipped',
  5: 'Delivered',
  6: 'Canceled',
  7: 'Refunded',
  8: 'Payment error',
  10: 'Awaiting bank wire payment',
};

const TAX_RATE = 21;
const FIRST_NAMES = ['Ana', 'Luis', 'Marta', 'Jorge', 'Lucía', 'Pablo', 'Elena', 'Diego', 'Sofía', 'Raúl', 'Carmen', 'Iván'];
const LAST_NAMES = ['García', 'Martínez', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández'];
const PRODUCTS = ['T-Shirt', 'Hoodie', 'Mug', 'Poster', 'Cap', 'Notebook', 'Tote bag', 'Sticker pack', 'Water bottle', 'Socks'];
const COLORS = ['Blue', 'Red', 'Black', 'White', 'Green'];
const SIZES = ['S', 'M', 'L', 'XL'];

export interface ShopOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** First event_id the module assigns (ps_odoo_sales_events auto-increment). */
  firstEventId?: number;
  /** Offset for every entity id, so two shops in one database do not collide. */
  idBase?: number;
  /** Shop-local start time. */
  startAt?: Date;
  /** id_currency of orders and payments (default 1). */
  currencyId?: number;
}

export class PrestashopShop {
  readonly events: ModuleEvent[] = [];
  readonly customers: ShopCustomer[] = [];
  readonly orders: ShopOrder[] = [];
  readonly coupons: ShopCoupon[] = [];
  readonly catalog: ShopProduct[];
  private nextEventId: number;
  private readonly ids: Record<string, number>;
  private clock: Date;
  private random: () => number;
  private readonly currencyId: number;

  constructor(options: ShopOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
    this.nextEventId = options.firstEventId ?? 1;
    const base = options.idBase ?? 0;
    this.ids = { customer: base, address: base, order: base, detail: base, history: base, payment: base, invoice: base, message: base, cart: base, coupon: base };
    this.clock = new Date(options.startAt ?? Date.UTC(2025, 10, 15, 9, 0, 0));
    this.currencyId = options.currencyId ?? 1;
    this.catalog = PRODUCTS.flatMap((name, p) =>
      COLORS.flatMap((color, c) =>
        SIZES.map((size, s) => ({
          id: p + 1,
          attributeId: p * 100 + c * 10 + s + 1,
          name: `${name} - ${color} - Size ${size}`,
          reference: `${name.slice(0, 3).toUpperCase()}-${color.toUpperCase()}-${size}`,
          ean13: String(8400000000000 + p * 1000 + c * 10 + s),
          price: Math.round((5 + p * 3.5 + c * 0.25) * 100) / 100,
          weight: Math.round((0.1 + p * 0.05) * 1000) / 1000,
        })),
      ),
    );
  }

  /** A customer registers (actionObjectCustomerAddAfter). */
  registerCustomer(overrides: Partial<Pick<ShopCustomer, 'email' | 'firstname' | 'lastname'>> = {}): ShopCustomer {
    this.tick();
    const id = ++this.ids.customer!;
    const firstname = overrides.firstname ?? this.pick(FIRST_NAMES);
    const lastname = overrides.lastname ?? this.pick(LAST_NAMES);
    const customer: ShopCustomer = {
      id,
      email: overrides.email ?? `${ascii(firstname)}.${ascii(lastname)}.${id}@example.com`.toLowerCase(),
      firstname,
      lastname,
      groupId: 3,
      newsletter: this.random() < 0.4,
      dateAdd: this.now(),
      addresses: [],
    };
    this.customers.push(customer);
    this.emitCustomer(customer, 'created', 'actionObjectCustomerAddAfter');
    return customer;
  }

  /** The customer edits their account (actionObjectCustomerUpdateAfter). */
  updateCustomer(customer: ShopCustomer, changes: Partial<Pick<ShopCustomer, 'email' | 'firstname' | 'lastname' | 'newsletter'>>): void {
    this.tick();
    Object.assign(customer, changes);
    this.emitCustomer(customer, 'updated', 'actionObjectCustomerUpdateAfter');
  }

  /** An address is added; the module sends it as a customer update (actionObjectAddressAddAfter). */
  addAddress(customer: ShopCustomer, action: 'created' | 'updated' | 'deleted' = 'created', addressId?: number): number {
    this.tick();
    const id = addressId ?? ++this.ids.address!;
    if (!customer.addresses.includes(id)) customer.addresses.push(id);
    const alias = customer.addresses.length === 1 ? 'Mi dirección' : `Dirección ${customer.addresses.length}`;
    const hook = { created: 'actionObjectAddressAddAfter', updated: 'actionObjectAddressUpdateAfter', deleted: 'actionObjectAddressDeleteAfter' }[action];
    this.emit({
      entity_type: 'customer',
      entity_id: customer.id,
      entity_name: `${customer.firstname} ${customer.lastname}`,
      action_type: 'updated',
      hook_name: hook,
      after_data: {
        id,
        alias,
        company: this.random() < 0.2 ? 'Azor Data SL' : '',
        firstname: customer.firstname,
        lastname: customer.lastname,
        address1: `Calle Mayor ${1 + Math.floor(this.random() * 200)}`,
        address2: '',
        postcode: String(28000 + Math.floor(this.random() * 999)).padStart(5, '0'),
        city: 'Madrid',
        id_country: '6',
        id_state: '0',
        phone: `+34 91 ${String(1000000 + id).slice(-7)}`,
        phone_mobile: '',
      },
      context_data: { change_type: 'address', address_id: id, address_action: action, address_alias: alias },
      change_summary: `Customer address ${action}: ${alias}`,
      hashAction: `updated_address_${id}`,
    });
    return id;
  }

  /** A cart rule is created in the back office (actionObjectCartRuleAddAfter). */
  createCoupon(overrides: Partial<Omit<ShopCoupon, 'id'>> = {}): ShopCoupon {
    this.tick();
    const id = ++this.ids.coupon!;
    const percent = overrides.reductionPercent ?? (this.random() < 0.5 ? 10 : 0);
    const coupon: ShopCoupon = {
      id,
      code: overrides.code ?? `SAVE${id}${percent ? 'P' : 'E'}`,
      name: overrides.name ?? (percent ? `${percent}% off` : '5 € off'),
      reductionPercent: percent,
      reductionAmount: overrides.reductionAmount ?? (percent ? 0 : 5),
      freeShipping: overrides.freeShipping ?? false,
      quantity: overrides.quantity ?? 100,
    };
    this.coupons.push(coupon);
    this.emitCoupon(coupon, 'created', 'actionObjectCartRuleAddAfter');
    return coupon;
  }

  updateCoupon(coupon: ShopCoupon, changes: Partial<Omit<ShopCoupon, 'id'>>): void {
    this.tick();
    Object.assign(coupon, changes);
    this.emitCoupon(coupon, 'updated', 'actionObjectCartRuleUpdateAfter');
  }

  /**
   * A customer checks out: coupon applied to the cart, order validated, payment recorded and
   * invoiced when paid by card, coupon consumed.
   */
  placeOrder(customer: ShopCustomer, options: { lines?: number; coupon?: ShopCoupon; paid?: boolean; message?: string } = {}): ShopOrder {
    this.tick();
    const cartId = ++this.ids.cart!;
    const paid = options.paid ?? true;
    const lines = Array.from({ length: options.lines ?? 1 + Math.floor(this.random() * 6) }, () => ({
      idOrderDetail: ++this.ids.detail!,
      product: this.pick(this.catalog),
      quantity: 1 + Math.floor(this.random() * 3),
      refunded: 0,
    }));
    const products = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
    const discount = options.coupon ? round(options.coupon.reductionAmount || (products * options.coupon.reductionPercent) / 100) : 0;
    const order: ShopOrder = {
      id: ++this.ids.order!,
      reference: this.reference(),
      customer,
      cartId,
      state: paid ? 2 : 10,
      lines,
      history: [],
      payments: [],
      messages: [],
      dateAdd: this.now(),
      dateUpd: this.now(),
      shippingNumber: '',
      discount,
      shipping: options.coupon?.freeShipping ? 0 : 4.95,
      coupon: options.coupon,
    };
    order.history.push({ id: ++this.ids.history!, state: order.state, employee: 0, date: this.now() });
    if (options.message) order.messages.push({ id: ++this.ids.message!, message: options.message, date: this.now() });
    this.orders.push(order);
    if (options.coupon) this.emitCouponUsage(options.coupon, order, 'applied', false);
    if (paid) {
      order.payments.push({ id: ++this.ids.payment!, amount: totalPaid(order), transactionId: `ch_${this.token(24)}`, date: this.now(), cardLast4: String(1000 + Math.floor(this.random() * 8999)) });
    }
    this.emitOrder(order, 'created', 'actionValidateOrder');
    if (paid) {
      this.emitPayment(order, order.payments[0]!);
      order.invoiceId = ++this.ids.invoice!;
      this.emitInvoice(order, 'created', 'actionObjectOrderInvoiceAddAfter');
    }
    if (options.coupon) this.emitCouponUsage(options.coupon, order, 'consumed', true);
    return order;
  }

  /**
   * An employee changes the order's state. PrestaShop fires actionOrderStatusUpdate (before the
   * save: old current_state, new state in context), actionObjectOrderUpdateAfter and
   * actionOrderStatusPostUpdate; the module turns each into an event.
   */
  changeState(order: ShopOrder, state: number, options: { employee?: number; shippingNumber?: string } = {}): void {
    this.tick();
    const employee = options.employee ?? 1;
    const context = { new_status_id: state, new_status_name: STATE_NAMES[state] ?? '', id_employee: employee, id_employee_context: employee };
    this.emitOrder(order, 'status_changed', 'actionOrderStatusUpdate', context);
    order.state = state;
    order.dateUpd = this.now();
    if (options.shippingNumber) order.shippingNumber = options.shippingNumber;
    order.history.push({ id: ++this.ids.history!, state, employee, date: this.now() });
    this.emitOrder(order, 'updated', 'actionObjectOrderUpdateAfter', { id_employee_context: employee });
    this.emitOrder(order, 'status_changed', 'actionOrderStatusPostUpdate', context);
  }

  /** A customer or employee writes on the order (the module sees it at the next order save). */
  addMessage(order: ShopOrder, message: string): void {
    this.tick();
    order.messages.push({ id: ++this.ids.message!, message, date: this.now() });
    order.dateUpd = this.now();
    this.emitOrder(order, 'updated', 'actionObjectOrderUpdateAfter');
  }

  /** A line is partly refunded before shipping (a standard refund). */
  refundLine(order: ShopOrder, lineIndex: number, quantity: number): void {
    this.tick();
    order.lines[lineIndex]!.refunded += quantity;
    order.dateUpd = this.now();
    this.emitOrder(order, 'updated', 'actionOrderEdited');
  }

  /** Events emitted since `index` (e.g. `shop.since(mark)` after remembering `shop.events.length`). */
  since(index: number): ModuleEvent[] {
    return this.events.slice(index);
  }

  /** A realistic mix until at least `count` events exist: customers, addresses, coupons, orders and their life. */
  simulate(count: number, options: { linesPerOrder?: [number, number] } = {}): ModuleEvent[] {
    const start = this.events.length;
    const [minLines, maxLines] = options.linesPerOrder ?? [1, 8];
    if (this.coupons.length === 0) this.createCoupon({ reductionPercent: 10 });
    while (this.events.length - start < count) {
      const roll = this.random();
      if (roll < 0.15 || this.customers.length === 0) {
        const customer = this.registerCustomer();
        this.addAddress(customer);
      } else if (roll < 0.2) {
        this.addAddress(this.pick(this.customers));
      } else if (roll < 0.22) {
        this.createCoupon();
      } else if (roll < 0.7) {
        this.placeOrder(this.pick(this.customers), {
          lines: minLines + Math.floor(this.random() * (maxLines - minLines + 1)),
          coupon: this.random() < 0.2 ? this.pick(this.coupons) : undefined,
          message: this.random() < 0.1 ? 'Please gift wrap this order' : undefined,
        });
      } else {
        const open = this.orders.filter((order) => order.state !== 5 && order.state !== 6);
        if (open.length === 0) continue;
        const order = this.pick(open);
        const next = order.state === 10 ? 2 : order.state === 2 ? 3 : order.state === 3 ? 4 : 5;
        this.changeState(order, next, next === 4 ? { shippingNumber: `1Z${this.token(10).toUpperCase()}` } : {});
      }
    }
    return this.events.slice(start);
  }

  // ---- event builders (OdooSalesEventDetector field sets) ----

  private emitCustomer(customer: ShopCustomer, action: string, hook: string): void {
    this.emit({
      entity_type: 'customer',
      entity_id: customer.id,
      entity_name: `${customer.firstname} ${customer.lastname}`,
      action_type: action,
      hook_name: hook,
      after_data: {
        id: customer.id,
        email: customer.email,
        firstname: customer.firstname,
        lastname: customer.lastname,
        id_default_group: String(customer.groupId),
        active: '1',
        newsletter: customer.newsletter ? '1' : '0',
        optin: '0',
        date_add: customer.dateAdd,
        date_upd: this.now(),
      },
      context_data: null,
      change_summary: `${capitalize(action)} customer: ${customer.firstname} ${customer.lastname}`,
    });
  }

  private emitOrder(order: ShopOrder, action: string, hook: string, context: Record<string, unknown> | null = null): void {
    this.emit({
      entity_type: 'order',
      entity_id: order.id,
      entity_name: order.reference,
      action_type: action,
      hook_name: hook,
      after_data: this.orderData(order),
      context_data: context,
      change_summary: `${capitalize(action)} order: ${order.reference}`,
    });
  }

  private orderData(order: ShopOrder): Record<string, unknown> {
    const productsExcl = round(order.lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0));
    const productsIncl = round(productsExcl * (1 + TAX_RATE / 100));
    const shippingIncl = round(order.shipping * (1 + TAX_RATE / 100));
    const discountIncl = round(order.discount * (1 + TAX_RATE / 100));
    const paidIncl = totalPaid(order);
    return {
      id_order: order.id,
      reference: order.reference,
      date_add: order.dateAdd,
      date_upd: order.dateUpd,
      current_state: order.state,
      id_order_state: order.state,
      id_customer: order.customer.id,
      id_cart: order.cartId,
      total_paid: phpFloat(paidIncl),
      total_paid_tax_incl: phpFloat(paidIncl),
      total_paid_tax_excl: phpFloat(round(productsExcl + order.shipping - order.discount)),
      total_products: phpFloat(productsExcl),
      total_products_wt: phpFloat(productsIncl),
      total_discounts: phpFloat(discountIncl),
      total_discounts_tax_incl: phpFloat(discountIncl),
      total_discounts_tax_excl: phpFloat(order.discount),
      total_shipping: phpFloat(shippingIncl),
      total_shipping_tax_incl: phpFloat(shippingIncl),
      total_shipping_tax_excl: phpFloat(order.shipping),
      total_wrapping: phpFloat(0),
      total_wrapping_tax_incl: phpFloat(0),
      total_wrapping_tax_excl: phpFloat(0),
      payment: order.payments.length ? 'Credit Card' : 'Bank wire',
      module: order.payments.length ? 'stripe_official' : 'ps_wirepayment',
      note: '',
      id_carrier: 2,
      shipping_number: order.shippingNumber,
      id_currency: this.currencyId,
      conversion_rate: phpFloat(1),
      order_details: order.lines.map((line) => orderLine(order, line)),
      order_history: order.history.map((entry) => ({
        id_order_history: entry.id,
        id_order_state: entry.state,
        status_name: STATE_NAMES[entry.state] ?? '',
        id_employee: entry.employee,
        date_add: entry.date,
      })),
      order_payments: order.payments.map((payment) => ({
        id_order_payment: payment.id,
        order_reference: order.reference,
        payment_method: 'Credit Card',
        amount: phpFloat(payment.amount),
        transaction_id: payment.transactionId,
        card_number: `XXXX-XXXX-XXXX-${payment.cardLast4}`,
        card_brand: 'Visa',
        card_expiration: '12/2027',
        card_holder: `${order.customer.firstname} ${order.customer.lastname}`,
        date_add: payment.date,
        conversion_rate: phpFloat(1),
      })),
      messages: order.messages.map((message) => ({
        id_message: message.id,
        id_customer: order.customer.id,
        message: message.message,
        private: false,
        date_add: message.date,
      })),
    };
  }

  private emitPayment(order: ShopOrder, payment: ShopOrder['payments'][number]): void {
    this.emit({
      entity_type: 'payment',
      entity_id: payment.id,
      entity_name: `Payment #${payment.transactionId}`,
      action_type: 'received',
      hook_name: 'actionObjectOrderPaymentAddAfter',
      after_data: {
        id: payment.id,
        order_reference: order.reference,
        id_currency: String(this.currencyId),
        amount: payment.amount.toFixed(6),
        payment_method: 'Credit Card',
        transaction_id: payment.transactionId,
        card_number: `XXXX-XXXX-XXXX-${payment.cardLast4}`,
        card_brand: 'Visa',
        card_expiration: '12/2027',
        card_holder: `${order.customer.firstname} ${order.customer.lastname}`,
        date_add: payment.date,
        conversion_rate: '1.000000',
      },
      context_data: { order_reference: order.reference, payment_method: 'Credit Card' },
      change_summary: `Received payment: Payment #${payment.transactionId} (Credit Card)`,
    });
  }

  private emitInvoice(order: ShopOrder, action: string, hook: string): void {
    const paid = totalPaid(order);
    const number = String(order.invoiceId);
    this.emit({
      entity_type: 'invoice',
      entity_id: order.invoiceId!,
      entity_name: number,
      action_type: action,
      hook_name: hook,
      after_data: {
        id: order.invoiceId,
        number,
        id_order: String(order.id),
        total_paid_tax_incl: paid.toFixed(6),
        total_paid_tax_excl: round(paid / (1 + TAX_RATE / 100)).toFixed(6),
        date_add: this.now(),
        invoice_lines: order.lines.map((line) => ({
          id_order_detail: line.idOrderDetail,
          product_id: line.product.id,
          product_attribute_id: line.product.attributeId,
          product_name: line.product.name,
          product_reference: line.product.reference,
          product_ean13: line.product.ean13,
          product_quantity: line.quantity,
          unit_price_tax_incl: phpFloat(round(line.product.price * 1.21)),
          unit_price_tax_excl: phpFloat(line.product.price),
          total_price_tax_incl: phpFloat(round(line.product.price * line.quantity * 1.21)),
          total_price_tax_excl: phpFloat(round(line.product.price * line.quantity)),
          reduction_percent: phpFloat(0),
          reduction_amount: phpFloat(0),
          reduction_amount_tax_incl: phpFloat(0),
          reduction_amount_tax_excl: phpFloat(0),
          product_weight: phpFloat(line.product.weight),
          ecotax: phpFloat(0),
        })),
      },
      context_data: null,
      change_summary: `${capitalize(action)} invoice: ${number}`,
    });
  }

  private emitCoupon(coupon: ShopCoupon, action: string, hook: string): void {
    this.emit({
      entity_type: 'coupon',
      entity_id: coupon.id,
      entity_name: coupon.code,
      action_type: action,
      hook_name: hook,
      after_data: {
        id_cart_rule: coupon.id,
        id: coupon.id,
        code: coupon.code,
        name: { 1: coupon.name, 2: coupon.name },
        description: '',
        id_customer: 0,
        date_from: '2025-11-01 00:00:00',
        date_to: '2026-11-01 00:00:00',
        date_add: this.now(),
        date_upd: this.now(),
        quantity: coupon.quantity,
        quantity_per_user: 1,
        priority: 1,
        partial_use: true,
        minimum_amount: phpFloat(0),
        minimum_amount_tax: false,
        minimum_amount_currency: this.currencyId,
        minimum_amount_shipping: false,
        country_restriction: false,
        carrier_restriction: false,
        group_restriction: false,
        cart_rule_restriction: false,
        product_restriction: false,
        shop_restriction: false,
        free_shipping: coupon.freeShipping,
        reduction_percent: phpFloat(coupon.reductionPercent),
        reduction_amount: phpFloat(coupon.reductionAmount),
        reduction_tax: true,
        reduction_currency: this.currencyId,
        reduction_product: 0,
        reduction_exclude_special: false,
        gift_product: 0,
        gift_product_attribute: 0,
        highlight: false,
        active: true,
      },
      context_data: null,
      change_summary: `${capitalize(action)} coupon: ${coupon.code}`,
    });
  }

  private emitCouponUsage(coupon: ShopCoupon, order: ShopOrder, usage: 'applied' | 'removed' | 'consumed', withOrder: boolean): void {
    this.emit({
      entity_type: 'coupon',
      entity_id: coupon.id,
      entity_name: coupon.code,
      action_type: usage,
      hook_name: 'actionCartSave_synthetic',
      after_data: {
        id_cart_rule: coupon.id,
        code: coupon.code,
        name: { 1: coupon.name },
        reduction_amount: phpFloat(coupon.reductionAmount),
        reduction_percent: phpFloat(coupon.reductionPercent),
        reduction_tax: true,
        reduction_currency: this.currencyId,
        free_shipping: coupon.freeShipping,
        cart_id: order.cartId,
        usage_action: usage,
        order_id: withOrder ? order.id : null,
        order_reference: withOrder ? order.reference : null,
        order_total: withOrder ? phpFloat(totalPaid(order)) : null,
        id_customer: order.customer.id,
        date_from: '2025-11-01 00:00:00',
        date_to: '2026-11-01 00:00:00',
        minimum_amount: phpFloat(0),
        minimum_amount_tax: false,
      },
      context_data: { usage_action: usage, cart_id: order.cartId, order_id: withOrder ? order.id : null, order_reference: withOrder ? order.reference : null },
      change_summary: `Coupon ${usage}: ${coupon.code} (cart #${order.cartId}${withOrder ? `, order #${order.id} ${order.reference}` : ''})`,
      hashAction: `${usage}_${order.cartId}`,
    });
  }

  private emit(event: {
    entity_type: string;
    entity_id: number;
    entity_name: string;
    action_type: string;
    hook_name: string;
    after_data: Record<string, unknown>;
    context_data: Record<string, unknown> | null;
    change_summary: string;
    hashAction?: string;
  }): void {
    this.events.push({
      event_id: this.nextEventId++,
      entity_type: event.entity_type,
      entity_id: String(event.entity_id),
      entity_name: event.entity_name,
      action_type: event.action_type,
      transaction_hash: transactionHash(event.entity_type, event.entity_id, event.hashAction ?? event.action_type, this.clock),
      correlation_id: this.uuid(),
      hook_name: event.hook_name,
      hook_timestamp: this.now(),
      before_data: null,
      after_data: event.after_data,
      change_summary: event.change_summary,
      context_data: event.context_data,
    });
  }

  // ---- helpers ----

  private tick(): void {
    this.clock = new Date(this.clock.getTime() + (1 + Math.floor(this.random() * 90)) * 1000);
  }

  private now(): string {
    return phpDate(this.clock);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private token(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length }, () => alphabet[Math.floor(this.random() * alphabet.length)]).join('');
  }

  private reference(): string {
    return Array.from({ length: 9 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(this.random() * 26)]).join('');
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

/** extractOrderLines: every field of Order::getProducts the module copies, typed as it casts them. */
function orderLine(order: ShopOrder, line: ShopOrderLine): Record<string, unknown> {
  const p = line.product;
  const unitIncl = round(p.price * (1 + TAX_RATE / 100));
  const totalExcl = round(p.price * line.quantity);
  const totalIncl = round(unitIncl * line.quantity);
  const f = (value: number): PhpFloat => phpFloat(value);
  return {
    id_order_detail: line.idOrderDetail,
    id_order: order.id,
    id_order_invoice: order.invoiceId ?? 0,
    id_shop: 1,
    id_warehouse: 0,
    product_id: p.id,
    product_attribute_id: p.attributeId,
    id_product_attribute: p.attributeId,
    product_name: p.name,
    product_reference: p.reference,
    product_supplier_reference: '',
    product_ean13: p.ean13,
    product_upc: '',
    product_isbn: '',
    product_mpn: '',
    product_quantity: line.quantity,
    cart_quantity: line.quantity,
    product_quantity_in_stock: line.quantity,
    product_quantity_refunded: line.refunded,
    product_quantity_return: 0,
    product_quantity_reinjected: 0,
    product_quantity_remaining: line.quantity - line.refunded,
    product_quantity_discount: f(0),
    current_stock: 42,
    location: '',
    advanced_stock_management: 0,
    unit_price_tax_incl: f(unitIncl),
    unit_price_tax_excl: f(p.price),
    product_price: f(p.price),
    product_price_wt: f(unitIncl),
    original_product_price: f(p.price),
    product_price_wt_but_ecotax: f(unitIncl),
    total_price_tax_incl: f(totalIncl),
    total_price_tax_excl: f(totalExcl),
    total_wt: f(totalIncl),
    total_price: f(totalExcl),
    // PHP float subtraction, noise included (e.g. 10.500000000000002).
    product_tax: f(totalIncl - totalExcl),
    tax_rate: f(TAX_RATE),
    tax_calculator: 'object',
    reduction_percent: f(0),
    reduction_amount: f(0),
    reduction_amount_tax_incl: f(0),
    reduction_amount_tax_excl: f(0),
    group_reduction: f(0),
    reduction_type: 0,
    reduction_applies: f(0),
    discount_quantity_applied: 0,
    product_weight: f(p.weight),
    ecotax: f(0),
    ecotax_tax_rate: f(0),
    is_virtual: false,
    download_hash: null,
    download_deadline: null,
    download_nb: 0,
    filename: null,
    display_filename: null,
    id_customization: 0,
    customization: null,
    customizedDatas: null,
    customizationQuantityTotal: 0,
    image: { id_image: p.id * 10 },
    image_size: null,
    id_address_delivery: order.customer.addresses[0] ?? 0,
  };
}

function totalPaid(order: ShopOrder): number {
  const products = order.lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
  return round((products + order.shipping - order.discount) * (1 + TAX_RATE / 100));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
