/**
 * Card checks made before anything is sent to Clover (pure). The sandbox accepts a past expiry
 * (seed quirk 15) and `/v1/tokens` needs a real brand (quirk 13), so both are decided here.
 */

export type CardBrand = 'VISA' | 'MC' | 'AMEX' | 'DISCOVER' | 'DINERS' | 'JCB';

export interface CardInput {
  number: string;
  expMonth: string | number;
  expYear: string | number;
  cvv: string;
}

export interface CheckedCard {
  number: string;
  brand: CardBrand;
  /** Two digits. */
  expMonth: string;
  /** Four digits. */
  expYear: string;
  cvv: string;
  first6: string;
  last4: string;
}

export interface CardProblem {
  field: 'number' | 'expMonth' | 'expYear' | 'cvv';
  message: string;
}

const BRAND_PATTERNS: [CardBrand, RegExp, number[]][] = [
  ['AMEX', /^3[47]/, [15]],
  ['DINERS', /^3(?:0[0-59]|[689])/, [14, 15, 16, 17, 18, 19]],
  ['JCB', /^35(?:2[89]|[3-8]\d)/, [16, 17, 18, 19]],
  ['VISA', /^4/, [13, 16, 19]],
  ['MC', /^(?:5[1-5]|2(?:2(?:2[1-9]|[3-9]\d)|[3-6]\d\d|7(?:[01]\d|20)))/, [16]],
  ['DISCOVER', /^(?:6011|65|64[4-9]|622(?:1(?:2[6-9]|[3-9]\d)|[2-8]\d\d|9(?:[01]\d|2[0-5])))/, [16, 17, 18, 19]],
];

/** Digits only: spaces and dashes people type are dropped; anything else makes it invalid. */
export function normalizeCardNumber(raw: string): string | undefined {
  const compact = raw.replace(/[\s-]/g, '');
  return /^\d+$/.test(compact) ? compact : undefined;
}

export function passesLuhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The brand from the BIN (first digits), as `/v1/tokens` wants it; undefined when unknown. */
export function detectBrand(number: string): CardBrand | undefined {
  for (const [brand, pattern, lengths] of BRAND_PATTERNS) {
    if (pattern.test(number) && lengths.includes(number.length)) return brand;
  }
  return undefined;
}

/** All problems of a keyed card, or the normalized card. */
export function checkCard(input: CardInput, now = new Date()): { ok: true; card: CheckedCard } | { ok: false; problems: CardProblem[] } {
  const problems: CardProblem[] = [];
  const number = normalizeCardNumber(input.number);
  const brand = number ? detectBrand(number) : undefined;
  if (!number || !passesLuhn(number)) problems.push({ field: 'number', message: 'card number is not valid (check the digits)' });
  else if (!brand) problems.push({ field: 'number', message: 'card brand not accepted (VISA, MC, AMEX, DISCOVER, DINERS, JCB)' });

  const monthText = String(input.expMonth).trim();
  const month = /^\d{1,2}$/.test(monthText) ? Number(monthText) : NaN;
  if (!(month >= 1 && month <= 12)) problems.push({ field: 'expMonth', message: 'expiry month must be 1 to 12' });

  const yearText = String(input.expYear).trim();
  const year = /^\d{2}$/.test(yearText) ? 2000 + Number(yearText) : /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
  const thisYear = now.getUTCFullYear();
  if (Number.isNaN(year)) problems.push({ field: 'expYear', message: 'expiry year must have 2 or 4 digits' });
  else if (year > thisYear + 20) problems.push({ field: 'expYear', message: 'expiry year is too far in the future' });
  else if (month >= 1 && month <= 12 && (year < thisYear || (year === thisYear && month < now.getUTCMonth() + 1))) {
    // A card is valid through the last day of its expiry month.
    problems.push({ field: 'expYear', message: 'card has expired' });
  }

  const cvv = input.cvv.trim();
  const cvvLength = brand === 'AMEX' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvvLength}}$`).test(cvv)) problems.push({ field: 'cvv', message: `CVV must be ${cvvLength} digits` });

  if (problems.length > 0 || !number || !brand) return { ok: false, problems };
  return {
    ok: true,
    card: {
      number,
      brand,
      expMonth: String(month).padStart(2, '0'),
      expYear: String(year),
      cvv,
      first6: number.slice(0, 6),
      last4: number.slice(-4),
    },
  };
}
