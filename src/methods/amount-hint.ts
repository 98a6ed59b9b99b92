import { type Currencies, formatAmount } from '../currency/index.js';

/**
 * What to tell a client who sent an amount as text or with decimals: the usual mistake is sending
 * major units ("11.00"), so the message finishes the sentence with the conversion for the currency
 * of the request. It never repeats the value sent (an amount field may hold anything).
 */

/** The example's value in major units: "11.00 USD is 1100". */
const EXAMPLE_MAJOR = 11;

/**
 * "11.00 USD is 1100", for the currency given when this deployment knows its unit, for USD otherwise
 * (a currency whose unit is not confirmed gets its own issue; a guessed example would mislead).
 */
export function minorUnitExample(currency: string | undefined, currencies: Currencies): string {
  const known = currency !== undefined ? currencies.exponent(currency) : undefined;
  const code = known === undefined ? 'USD' : (currency as string);
  const minor = EXAMPLE_MAJOR * 10 ** (currencies.exponent(code) ?? 2);
  const example = `${formatAmount(minor, code, currencies)} is ${minor}`;
  return known === 0 ? `${code} is counted in whole units: ${example}` : example;
}

/**
 * The message for an amount that is text or not a whole number, or undefined when the amount's
 * problem is another (missing, zero, negative, too large): those keep the schema's message.
 */
export function amountHint(
  amount: unknown,
  currency: string | undefined,
  currencies: Currencies,
): string | undefined {
  if (typeof amount === 'string') {
    return `must be a JSON number, not text: amounts are integers in minor units (${minorUnitExample(currency, currencies)})`;
  }
  if (typeof amount === 'number' && Number.isFinite(amount) && !Number.isInteger(amount)) {
    return `must be an integer: amounts are in minor units (${minorUnitExample(currency, currencies)})`;
  }
  return undefined;
}
