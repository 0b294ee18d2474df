/** One inventory row as the availability rule sees it. */
export interface StockAtLocation {
  quantity: number;
  reserved: number;
  locationActive: boolean;
}

/** Units that can be sold from one location: never negative, even when more is reserved than on hand. */
export function availableAt(level: { quantity: number; reserved: number }): number {
  return Math.max(0, level.quantity - level.reserved);
}

/**
 * What Odoo is told a variant has: Σ over active locations of max(0, quantity − reserved).
 * The seed's example: A 100/10 and B 50/5 → 90 + 45 = 135; an inactive location adds nothing.
 */
export function availableStock(levels: readonly StockAtLocation[]): number {
  return levels.reduce((sum, level) => (level.locationActive ? sum + availableAt(level) : sum), 0);
}
