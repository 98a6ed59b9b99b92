import * as iso4217 from 'dinero.js/currencies';

/**
 * Minor-unit digits of every ISO 4217 currency that has a minor unit, from a maintained data package
 * (pinned exactly: an upgrade that changes a currency's digits must be a reviewed change, never a
 * silent one). Codes ISO lists without a minor unit (precious metals, funds, XTS, XXX) are absent.
 *
 * The package records Madagascar's ariary and Mauritania's ouguiya as they are divided (into five),
 * not as ISO's list writes them (two digits). Their "minor unit" is therefore ambiguous and they are
 * absent here too, which refuses them until the gateway confirms their unit.
 */
export const ISO_EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.values(iso4217)
    .filter((currency) => currency.base === 10)
    .map((currency) => [currency.code, currency.exponent]),
);

/** Codes the package divides other than by a power of ten (see {@link ISO_EXPONENTS}). */
export const NON_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(
  Object.values(iso4217)
    .filter((currency) => currency.base !== 10)
    .map((currency) => currency.code),
);
