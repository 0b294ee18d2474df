/** Payload of `commerce.inventory.adjusted`: one variant's stock at one location changed. */
export interface InventoryAdjusted {
  variantId: string;
  sku: string;
  locationId: string;
  locationCode: string;
  locationActive: boolean;
  quantity: number;
  reserved: number;
  previousQuantity: number;
  previousReserved: number;
  reason: string | null;
  /** Who changed it (the caller's identity subject), when known. */
  adjustedBy: string | null;
}

export const INVENTORY_ADJUSTED = 'commerce.inventory.adjusted';

/** On-hand and reserved units at one location. */
interface StockFigures {
  quantity: number;
  reserved: number;
}

/** The `commerce.inventory.adjusted` payload for a level that reads `level` now and read `previous` before. */
export function inventoryAdjusted(change: {
  variant: { id: string; sku: string };
  location: { id: string; code: string; active: boolean };
  level: StockFigures;
  previous: StockFigures;
  reason: string | null;
  adjustedBy: string | null;
}): InventoryAdjusted {
  const { variant, location, level, previous } = change;
  return {
    variantId: variant.id,
    sku: variant.sku,
    locationId: location.id,
    locationCode: location.code,
    locationActive: location.active,
    quantity: level.quantity,
    reserved: level.reserved,
    previousQuantity: previous.quantity,
    previousReserved: previous.reserved,
    reason: change.reason,
    adjustedBy: change.adjustedBy,
  };
}
