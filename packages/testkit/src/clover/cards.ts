/**
 * Card checks as the Clover sandbox performs them (written independently of the code under test).
 */

/** Brands `/v1/tokens` accepts (seed quirk 13: `CARD` or anything else is refused). */
export const TOKEN_BRANDS = ['VISA', 'MC', 'AMEX', 'DISCOVER', 'DINERS', 'JCB'] as const;

/** Test cards the sandbox always declines (seed "Failure-mode handling PROVEN"). */
export const DECLINE_CARDS = new Set(['4264281511117771', '5424180273333333']);

export function passesLuhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function validMonth(value: unknown): boolean {
  const text = String(value ?? '');
  if (!/^\d{1,2}$/.test(text)) return false;
  const month = Number(text);
  return month >= 1 && month <= 12;
}

export function validYear(value: unknown): boolean {
  return /^(\d{2}|\d{4})$/.test(String(value ?? ''));
}

export function fourDigitYear(value: unknown): number {
  const text = String(value);
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

export function validCvv(value: unknown, brand: string): boolean {
  const text = String(value ?? '');
  return brand === 'AMEX' ? /^\d{4}$/.test(text) || /^\d{3}$/.test(text) : /^\d{3}$/.test(text);
}
