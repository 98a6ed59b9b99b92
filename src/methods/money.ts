/**
 * An amount in minor units as operators read it: major units with the currency, `10.08 EUR`, from
 * the currency's ISO 4217 exponent as the runtime knows it.
 */
export function formatMoney(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
  } catch {
    // An unknown code: shown with two decimals rather than not at all.
  }
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const major = Math.floor(abs / 10 ** digits);
  const fraction = digits > 0 ? `.${String(abs % 10 ** digits).padStart(digits, '0')}` : '';
  return `${sign}${major}${fraction} ${currency}`;
}
