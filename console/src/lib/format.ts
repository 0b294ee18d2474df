/** Display helpers. Amounts arrive as decimal strings and are never turned into floats to be shown. */

export interface MoneyValue {
  amount: string;
  currency: string;
}

export function formatMoney(money: MoneyValue | null | undefined): string {
  if (!money) return '—';
  try {
    // Intl formats a decimal string exactly (no float rounding).
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency, maximumFractionDigits: 6 }).format(
      money.amount as `${number}`,
    );
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

export function formatNumber(value: string | number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(value as `${number}`);
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

/** `2026-03` for a period starting in March 2026 (UTC). */
export function periodLabel(iso: string | null | undefined): string {
  if (!iso) return 'undated';
  return iso.slice(0, 7);
}

export function humanize(value: string): string {
  return value.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * Exact sum of decimal strings (usage quantities): scaled BigInts, so a chart's labels add up to
 * what the invoices say.
 */
export function sumDecimals(values: readonly string[]): string {
  const parsed = values.map((value) => {
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
    if (!match) throw new Error(`not a decimal: ${value}`);
    return { negative: match[1] === '-', whole: match[2]!, fraction: match[3] ?? '' };
  });
  const scale = Math.max(0, ...parsed.map((p) => p.fraction.length));
  let total = 0n;
  for (const p of parsed) {
    const units = BigInt(p.whole + p.fraction.padEnd(scale, '0'));
    total += p.negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? digits.slice(-scale).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
