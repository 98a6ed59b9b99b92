/**
 * What to tell a client who sent an amount as text or with decimals: the usual mistake is sending
 * major units ("11.00"), so the message finishes the sentence with the conversion for the currency
 * of the request. It never repeats the value sent (an amount field may hold anything).
 */

/** The example's value in major units: "11.00 USD is 1100". */
const EXAMPLE_MAJOR = 11;

/** Decimal places of a currency's minor unit (ISO 4217, as the runtime's Intl data knows it). */
function minorUnitDigits(currency: string): number | undefined {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
  } catch {
    return undefined;
  }
}

/** "11.00 USD is 1100", for the currency given when it is a known one, for USD otherwise. */
export function minorUnitExample(currency: string | undefined): string {
  const code = currency !== undefined && minorUnitDigits(currency) !== undefined ? currency : 'USD';
  const digits = minorUnitDigits(code) ?? 2;
  const example = `${EXAMPLE_MAJOR.toFixed(digits)} ${code} is ${EXAMPLE_MAJOR * 10 ** digits}`;
  return digits === 0 ? `${code} has no minor unit: ${example}` : example;
}

/**
 * The message for an amount that is text or not a whole number, or undefined when the amount's
 * problem is another (missing, zero, negative, too large): those keep the schema's message.
 */
export function amountHint(amount: unknown, currency: string | undefined): string | undefined {
  if (typeof amount === 'string') {
    return `must be a JSON number, not text: amounts are integers in minor units (${minorUnitExample(currency)})`;
  }
  if (typeof amount === 'number' && Number.isFinite(amount) && !Number.isInteger(amount)) {
    return `must be an integer: amounts are in minor units (${minorUnitExample(currency)})`;
  }
  return undefined;
}
