import { type Currencies, DEFAULT_CURRENCIES } from './units.js';

/**
 * Amounts as people read them: major units with thousands separators, always in the same (English)
 * form so that logs and terminals read the same on every machine. The stored integer stays the truth;
 * these strings are for display only and are never parsed back.
 */

const grouping = new Map<number, Intl.NumberFormat>();

function numberFormat(exponent: number): Intl.NumberFormat {
  let format = grouping.get(exponent);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    grouping.set(exponent, format);
  }
  return format;
}

/**
 * `1234567` with exponent 3 → `1,234.567`. The decimal point is placed in the digits themselves (a
 * decimal string, not a division), so no amount is rounded on its way to the screen.
 */
export function formatMinorUnits(amount: number, exponent: number): string {
  if (!Number.isSafeInteger(amount)) return String(amount);
  const digits = Math.abs(amount)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = amount < 0 ? '-' : '';
  const decimal = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return numberFormat(exponent).format(`${sign}${decimal}` as Intl.StringNumericLiteral);
}

/**
 * `formatAmount(1008, 'EUR')` → `10.08 EUR`; `formatAmount(1100, 'JPY')` → `1,100 JPY`. A currency whose
 * unit this deployment has not confirmed is shown as the bare integer, marked so, since any decimal
 * point would be a guess.
 */
export function formatAmount(
  amount: number,
  currency: string,
  currencies: Currencies = DEFAULT_CURRENCIES,
): string {
  const exponent = currencies.exponent(currency);
  if (exponent === undefined) return `${amount} ${currency} (unit not confirmed)`;
  return `${formatMinorUnits(amount, exponent)} ${currency}`;
}

/** The form for operators: major units first, the integer the API and the gateway use beside it: `10.08 EUR (1008)`. */
export function showAmount(
  amount: number,
  currency: string,
  currencies: Currencies = DEFAULT_CURRENCIES,
): string {
  const exponent = currencies.exponent(currency);
  if (exponent === undefined) return formatAmount(amount, currency, currencies);
  return `${formatMinorUnits(amount, exponent)} ${currency} (${amount})`;
}
