import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Currencies, createCurrencies, DEFAULT_WHOLE_UNIT_CURRENCIES } from '../currency/index.js';
import { type OperatorAccount, parseOperatorEntries } from '../operators/accounts.js';
import { ConfigError } from './error.js';

/** The settings that need more than a schema: currency rules and operator accounts. */

/**
 * Codes in GATEWAY_WHOLE_UNIT_CURRENCIES need not be active (the gateway's own list names ECS, withdrawn
 * in 2000): a code no request can carry changes nothing. PAYOUT_CURRENCIES must name only currencies
 * that can be paid, so a typo or an unconfirmed unit stops the start instead of refusing every payout.
 */
export function currencySettings(wholeUnit: string[] | undefined, payout: string[] | undefined): Currencies {
  const currencies = createCurrencies({ wholeUnit: wholeUnit ?? DEFAULT_WHOLE_UNIT_CURRENCIES, payout });
  for (const code of payout ?? []) {
    if (!z.currencyCode().safeParse(code).success) {
      throw new ConfigError('PAYOUT_CURRENCIES', `${code} is not an active ISO 4217 currency code`);
    }
    const refusal = currencies.unitRefusal(code);
    if (refusal !== undefined) throw new ConfigError('PAYOUT_CURRENCIES', refusal);
  }
  return currencies;
}

/** OPERATORS entries, then those of the file OPERATORS_FILE names. */
export function operatorAccounts(inline: string | undefined, file: string | undefined): OperatorAccount[] {
  const parse = (name: string, text: string) => {
    try {
      return parseOperatorEntries(text);
    } catch (err) {
      throw new ConfigError(name, (err as Error).message);
    }
  };
  const accounts = inline === undefined ? [] : parse('OPERATORS', inline);
  if (file === undefined) return accounts;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('OPERATORS_FILE', `cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  const fromFile = parse('OPERATORS_FILE', text);
  const twice = fromFile.find((a) => accounts.some((b) => b.name === a.name));
  if (twice) throw new ConfigError('OPERATORS_FILE', `names ${twice.name}, already in OPERATORS`);
  return [...accounts, ...fromFile];
}
