/** A vendor product as the Odoo vendor API stores it, one catalogue per partner. */
export interface OdooVendorProduct {
  id: number;
  partner_id: number;
  name: string;
  default_code: string;
  vendor_on_hand_qty: number;
  supplier: { partner_id: number; price: number };
  create_date: string;
  write_date: string;
}

/** What an API call answers: HTTP status and body (a string body is sent as HTML). */
export interface VendorAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * The vendor API's quirk: business errors (validation, duplicates, unknown product) come back as
 * HTTP 200 with `success: false`; only authentication, routing and infrastructure problems use
 * HTTP error statuses. A client that only looks at the status code reports failures as successes.
 */
const businessError = (error: string, code: string): VendorAnswer => ({ status: 200, body: { success: false, error, code } });

const ok = (data: unknown): VendorAnswer => ({ status: 200, body: { success: true, data } });

/** Stateful product catalogue behind `/vendor_api/product/read|create|update`. */
export class VendorCatalogue {
  private readonly byPartner = new Map<number, Map<string, OdooVendorProduct>>();
  private nextId = 1;

  products(partnerId?: number): OdooVendorProduct[] {
    const partners = partnerId === undefined ? [...this.byPartner.values()] : [this.byPartner.get(partnerId) ?? new Map()];
    return partners.flatMap((catalogue) => [...catalogue.values()].map((p) => structuredClone(p)));
  }

  product(partnerId: number, defaultCode: string): OdooVendorProduct | undefined {
    const found = this.byPartner.get(partnerId)?.get(defaultCode);
    return found && structuredClone(found);
  }

  clear(): void {
    this.byPartner.clear();
  }

  read(partnerId: number, body: Record<string, unknown>): VendorAnswer {
    const code = defaultCodeOf(body);
    if (typeof code !== 'string') return code;
    const found = this.byPartner.get(partnerId)?.get(code);
    return ok(found ? structuredClone(found) : null);
  }

  create(partnerId: number, body: Record<string, unknown>): VendorAnswer {
    const code = defaultCodeOf(body);
    if (typeof code !== 'string') return code;
    const fields = productFields(body, { requireName: true });
    if ('status' in fields) return fields;
    const catalogue = this.byPartner.get(partnerId) ?? new Map<string, OdooVendorProduct>();
    this.byPartner.set(partnerId, catalogue);
    if (catalogue.has(code)) {
      return businessError(`A product with default_code '${code}' already exists for partner ${partnerId}`, 'DUPLICATE_DEFAULT_CODE');
    }
    const now = new Date().toISOString();
    const product: OdooVendorProduct = {
      id: this.nextId++,
      partner_id: partnerId,
      name: fields.name!,
      default_code: code,
      vendor_on_hand_qty: fields.qty ?? 0,
      supplier: { partner_id: partnerId, price: fields.price ?? 0 },
      create_date: now,
      write_date: now,
    };
    catalogue.set(code, product);
    return ok(structuredClone(product));
  }

  update(partnerId: number, body: Record<string, unknown>): VendorAnswer {
    const code = defaultCodeOf(body);
    if (typeof code !== 'string') return code;
    const fields = productFields(body, { requireName: false });
    if ('status' in fields) return fields;
    const product = this.byPartner.get(partnerId)?.get(code);
    if (!product) return businessError(`No product with default_code '${code}' for partner ${partnerId}`, 'NOT_FOUND');
    if (fields.name !== undefined) product.name = fields.name;
    if (fields.qty !== undefined) product.vendor_on_hand_qty = fields.qty;
    if (fields.price !== undefined) product.supplier.price = fields.price;
    product.write_date = new Date().toISOString();
    return ok(structuredClone(product));
  }
}

function defaultCodeOf(body: Record<string, unknown>): string | VendorAnswer {
  const code = body['default_code'];
  if (typeof code !== 'string' || !code.trim()) return businessError('default_code is required', 'VALIDATION_ERROR');
  return code;
}

function productFields(
  body: Record<string, unknown>,
  options: { requireName: boolean },
): { name?: string; qty?: number; price?: number } | VendorAnswer {
  const { name, vendor_on_hand_qty: qty, supplier } = body;
  if (name !== undefined || options.requireName) {
    if (typeof name !== 'string' || !name.trim()) return businessError('name is required', 'VALIDATION_ERROR');
  }
  if (qty !== undefined && (typeof qty !== 'number' || !Number.isFinite(qty) || qty < 0)) {
    return businessError('vendor_on_hand_qty must be a number >= 0', 'VALIDATION_ERROR');
  }
  let price: number | undefined;
  if (supplier !== undefined) {
    const candidate = (supplier as { price?: unknown } | null)?.price;
    if (typeof supplier !== 'object' || supplier === null || typeof candidate !== 'number' || candidate < 0) {
      return businessError('supplier.price must be a number >= 0', 'VALIDATION_ERROR');
    }
    price = candidate;
  }
  return { name: name as string | undefined, qty: qty as number | undefined, price };
}
