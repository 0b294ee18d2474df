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
