import type { Validated } from '../../customers/customer-rules.js';

/** Largest on-hand or reserved figure accepted (a 32-bit column). */
export const MAX_STOCK = 1_000_000_000;

type Check<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export function checkSku(raw: unknown, field = 'sku'): Check<string> {
  const sku = typeof raw === 'string' ? raw.trim() : '';
  if (!sku) return { ok: false, field, message: `${field} must not be empty` };
  if (sku.length > 100 || /\s/.test(sku)) return { ok: false, field, message: `${field} must be at most 100 characters, without spaces` };
  return { ok: true, value: sku };
}

export function checkName(raw: unknown, field = 'name'): Check<string> {
  const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
  if (!name) return { ok: false, field, message: `${field} must not be empty` };
  if (name.length > 200) return { ok: false, field, message: `${field} must be at most 200 characters` };
  return { ok: true, value: name };
}

/** A variant may have no label of its own (then Odoo gets the product name alone). */
export function checkVariantName(raw: unknown, field = 'name'): Check<string> {
  const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
  if (name.length > 200) return { ok: false, field, message: `${field} must be at most 200 characters` };
  return { ok: true, value: name };
}

export function checkLocationCode(raw: unknown, field = 'code'): Check<string> {
  const code = typeof raw === 'string' ? raw.trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/.test(code)) {
    return { ok: false, field, message: `${field} must be 1–50 letters, digits, '.', '_' or '-'` };
  }
  return { ok: true, value: code };
}

export function checkStockFigure(raw: unknown, field: string): Check<number> {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_STOCK) {
    return { ok: false, field, message: `${field} must be a whole number between 0 and ${MAX_STOCK}` };
  }
  return { ok: true, value: raw };
}

export interface StockAdjustment {
  sku: string;
  locationCode: string;
  /** New on-hand units (absolute, so repeating the same adjustment changes nothing). */
  quantity?: number;
  /** New reserved units (absolute). */
  reserved?: number;
  reason: string | null;
}

/** Checks an `adjustInventory` input; the message names the field at fault. */
export function validateAdjustment(input: {
  sku?: unknown;
  locationCode?: unknown;
  quantity?: unknown;
  reserved?: unknown;
  reason?: unknown;
}): Validated<StockAdjustment> {
  const sku = checkSku(input.sku);
  if (!sku.ok) return sku;
  const location = checkLocationCode(input.locationCode, 'locationCode');
  if (!location.ok) return location;
  if (input.quantity == null && input.reserved == null) {
    return { ok: false, field: 'quantity', message: 'give quantity, reserved or both' };
  }
  let quantity: number | undefined;
  if (input.quantity != null) {
    const checked = checkStockFigure(input.quantity, 'quantity');
    if (!checked.ok) return checked;
    quantity = checked.value;
  }
  let reserved: number | undefined;
  if (input.reserved != null) {
    const checked = checkStockFigure(input.reserved, 'reserved');
    if (!checked.ok) return checked;
    reserved = checked.value;
  }
  const reason = typeof input.reason === 'string' && input.reason.trim() ? input.reason.trim().slice(0, 200) : null;
  return { ok: true, value: { sku: sku.value, locationCode: location.value, quantity, reserved, reason } };
}
