import { describe, expect, test } from 'vitest';
import { regexes } from 'zod/v4/core';
import {
  createCurrencies,
  DEFAULT_CURRENCIES,
  DEFAULT_WHOLE_UNIT_CURRENCIES,
  ISO_EXPONENTS,
} from '../../../src/currency/index.js';

/**
 * The oracle, written out from ISO 4217's list one: every active code whose minor unit is not two
 * digits. Everything else in the list has two. The codes come from the schema library's own copy of
 * the list, so a code added to either source without the other shows up here.
 */
const ISO_DIGITS_OTHER_THAN_2: Readonly<Record<string, number | 'none'>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
  XAG: 'none',
  XAU: 'none',
  XBA: 'none',
  XBB: 'none',
  XBC: 'none',
  XBD: 'none',
  XDR: 'none',
  XPD: 'none',
  XPT: 'none',
  XSU: 'none',
  XTS: 'none',
  XUA: 'none',
  XXX: 'none',
};
/** ISO writes two digits; their real division is into fifths, so the unit is ambiguous (see iso-4217.ts). */
const DIVIDED_INTO_FIFTHS = new Set(['MGA', 'MRU']);

const ACTIVE_ISO_CODES = regexes.currencyCode.source.match(/[A-Z]{3}/g) ?? [];
const WHOLE_UNIT = new Set(DEFAULT_WHOLE_UNIT_CURRENCIES);

const expected = (code: string) => {
  if (WHOLE_UNIT.has(code)) return { exponent: 0 };
  const digits = ISO_DIGITS_OTHER_THAN_2[code] ?? 2;
  if (digits === 2 && !DIVIDED_INTO_FIFTHS.has(code)) return { exponent: 2 };
  return { exponent: undefined };
};

describe('every active ISO 4217 currency under the default settings', () => {
  test('the list is the whole standard', () => {
    expect(ACTIVE_ISO_CODES.length).toBeGreaterThan(170);
  });

  test.each(ACTIVE_ISO_CODES.map((code) => ({ code, ...expected(code) })))(
    '$code: exponent $exponent',
    ({ code, exponent }) => {
      expect(DEFAULT_CURRENCIES.exponent(code)).toBe(exponent);
      const refusal = DEFAULT_CURRENCIES.unitRefusal(code);
      if (exponent === undefined) expect(refusal).toMatch(new RegExp(`^${code} `));
      else expect(refusal).toBeUndefined();
      expect(DEFAULT_CURRENCIES.payoutRefusal(code)).toBe(refusal);
    },
  );

  test('the data package agrees with ISO on every decimal currency', () => {
    for (const code of ACTIVE_ISO_CODES) {
      const digits = ISO_DIGITS_OTHER_THAN_2[code] ?? 2;
      if (DIVIDED_INTO_FIFTHS.has(code)) continue;
      expect(ISO_EXPONENTS.get(code), code).toBe(digits === 'none' ? undefined : digits);
    }
  });
});

describe('refusals say why and which setting allows the currency', () => {
  test.each([
    {
      code: 'KWD',
      says: [
        'KWD has 3 decimal places in ISO 4217',
        'factor of 10',
        'GATEWAY_WHOLE_UNIT_CURRENCIES lists KWD',
      ],
    },
    {
      code: 'CLF',
      says: [
        'CLF has 4 decimal places in ISO 4217',
        'factor of 100',
        'GATEWAY_WHOLE_UNIT_CURRENCIES lists CLF',
      ],
    },
    {
      code: 'UGX',
      says: ['UGX has no minor unit in ISO 4217', 'factor of 100', 'GATEWAY_WHOLE_UNIT_CURRENCIES lists UGX'],
    },
    { code: 'MGA', says: ['divided into fifths', 'GATEWAY_WHOLE_UNIT_CURRENCIES lists MGA'] },
    { code: 'XAU', says: ['XAU has no minor unit in ISO 4217 and is not money that can be paid'] },
  ])('$code', ({ code, says }) => {
    const refusal = DEFAULT_CURRENCIES.unitRefusal(code) ?? '';
    for (const part of says) expect(refusal).toContain(part);
  });
});

describe('the deployment overlays the whole-unit list and the allow-list', () => {
  test('a currency on the whole-unit list is whole units, whatever ISO says', () => {
    const currencies = createCurrencies({ wholeUnit: ['KWD', 'UGX', 'HUF'] });
    expect(['KWD', 'UGX', 'HUF', 'EUR', 'JPY'].map((c) => currencies.exponent(c))).toEqual([
      0,
      0,
      0,
      2,
      undefined,
    ]);
    expect(currencies.unitRefusal('KWD')).toBeUndefined();
    expect(currencies.unitRefusal('JPY')).toContain('JPY has no minor unit in ISO 4217');
  });

  test('the allow-list refuses the rest for payouts, naming the setting, but not for the unit rule', () => {
    const currencies = createCurrencies({ wholeUnit: DEFAULT_WHOLE_UNIT_CURRENCIES, payout: ['EUR', 'JPY'] });
    expect(currencies.payoutRefusal('EUR')).toBeUndefined();
    expect(currencies.payoutRefusal('JPY')).toBeUndefined();
    expect(currencies.payoutRefusal('USD')).toBe(
      'this deployment pays out only in EUR, JPY (PAYOUT_CURRENCIES)',
    );
    expect(currencies.unitRefusal('USD')).toBeUndefined();
    // The unit is the first reason: allowing a currency does not confirm its unit.
    expect(currencies.payoutRefusal('KWD')).toContain('KWD has 3 decimal places');
  });
});
