export { formatAmount, formatMinorUnits, showAmount } from './format.js';
export { ISO_EXPONENTS } from './iso-4217.js';
export {
  type Currencies,
  type CurrencySettings,
  createCurrencies,
  DEFAULT_CURRENCIES,
  DEFAULT_WHOLE_UNIT_CURRENCIES,
  GATEWAY_MINOR_DIGITS,
} from './units.js';
