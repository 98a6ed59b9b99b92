import { ISO_EXPONENTS, NON_DECIMAL_CURRENCIES } from './iso-4217.js';

/**
 * What one integer `amount` means in each currency, for this deployment's gateway.
 *
 * SPEC.md says amounts are minor units ("USD 2000 = 20.00") except for a list of currencies sent in
 * whole units, and that the list is unconfirmed. The gateway's minor unit is therefore known only
 * where ISO 4217 agrees with the hundredth of that example (two digits), and for the whole-unit
 * currencies. Anywhere else (KWD has three digits, UGX none) a casino counting ISO minor units and a
 * gateway counting hundredths would disagree by a factor of ten or more, so such a currency is refused
 * until a deployment states its unit.
 */

/** The digits of the gateway's documented minor unit (USD 2000 = 20.00). */
export const GATEWAY_MINOR_DIGITS = 2;

/** SPEC.md's list of currencies the gateway takes in whole units; ECS (withdrawn in 2000) is never accepted as a currency. */
export const DEFAULT_WHOLE_UNIT_CURRENCIES: readonly string[] = [
  'JPY',
  'CLP',
  'ECS',
  'VND',
  'KRW',
  'ISK',
  'PYG',
];

export interface CurrencySettings {
  /**
   * Currencies the gateway takes in whole units (GATEWAY_WHOLE_UNIT_CURRENCIES): `amount` is whole units.
   * @defaultValue {@link DEFAULT_WHOLE_UNIT_CURRENCIES}
   */
  wholeUnit: readonly string[];
  /** The currencies this deployment pays out in (PAYOUT_CURRENCIES); undefined: every confirmed one. */
  payout?: readonly string[] | undefined;
}

/** The deployment's currency rules, built once from its settings. */
export interface Currencies {
  readonly wholeUnit: readonly string[];
  readonly payout: readonly string[] | undefined;
  /** Decimal digits of `amount` in `code` as the gateway reads it; undefined while its unit is not confirmed. */
  exponent(code: string): number | undefined;
  /** Why no amount in `code` may reach the gateway (payouts and deposits alike), or undefined. */
  unitRefusal(code: string): string | undefined;
  /** As {@link unitRefusal}, and also refuses a currency outside the payout allow-list. */
  payoutRefusal(code: string): string | undefined;
}

const WHOLE_UNIT_SETTING = 'GATEWAY_WHOLE_UNIT_CURRENCIES';

function whyUnconfirmed(code: string): string {
  const iso = ISO_EXPONENTS.get(code);
  const confirm = `it is accepted once ${WHOLE_UNIT_SETTING} lists ${code} (when the gateway confirms it takes ${code} in whole units)`;
  if (NON_DECIMAL_CURRENCIES.has(code)) {
    return `${code} is divided into fifths, so its minor unit is ambiguous and the gateway has not confirmed it; ${confirm}`;
  }
  if (iso === undefined) return `${code} has no minor unit in ISO 4217 and is not money that can be paid`;
  const isoUnit = iso === 0 ? 'has no minor unit in ISO 4217' : `has ${iso} decimal places in ISO 4217`;
  return `${code} ${isoUnit}, but the gateway reads amounts as hundredths except in its whole-unit currencies, so the amount paid could be off by a factor of ${10 ** Math.abs(iso - GATEWAY_MINOR_DIGITS)}; ${confirm}`;
}

/** Methods live on the prototype, so two deployments' rules compare equal when their settings are. */
class CurrencyRules implements Currencies {
  readonly wholeUnit: readonly string[];
  readonly payout: readonly string[] | undefined;
  readonly #wholeUnit: ReadonlySet<string>;
  readonly #allowed: ReadonlySet<string> | undefined;

  constructor(settings: CurrencySettings) {
    this.#wholeUnit = new Set(settings.wholeUnit);
    this.#allowed = settings.payout === undefined ? undefined : new Set(settings.payout);
    this.wholeUnit = [...this.#wholeUnit];
    this.payout = this.#allowed && [...this.#allowed];
  }

  exponent(code: string): number | undefined {
    if (this.#wholeUnit.has(code)) return 0;
    return ISO_EXPONENTS.get(code) === GATEWAY_MINOR_DIGITS ? GATEWAY_MINOR_DIGITS : undefined;
  }

  unitRefusal(code: string): string | undefined {
    return this.exponent(code) === undefined ? whyUnconfirmed(code) : undefined;
  }

  payoutRefusal(code: string): string | undefined {
    const refusal = this.unitRefusal(code);
    if (refusal !== undefined || this.payout === undefined || this.#allowed?.has(code)) return refusal;
    return `this deployment pays out only in ${this.payout.join(', ')} (PAYOUT_CURRENCIES)`;
  }
}

/** Builds the rules from settings already checked by the config (upper-case three-letter codes). */
export function createCurrencies(settings: CurrencySettings): Currencies {
  return new CurrencyRules(settings);
}

/** The rules of a deployment that sets neither currency setting. */
export const DEFAULT_CURRENCIES: Currencies = createCurrencies({ wholeUnit: DEFAULT_WHOLE_UNIT_CURRENCIES });
