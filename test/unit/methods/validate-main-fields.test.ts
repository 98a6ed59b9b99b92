import { describe, expect, test } from 'vitest';
import { createCurrencies, DEFAULT_CURRENCIES } from '../../../src/currency/index.js';
import {
  EXTERNAL_ID_MESSAGE,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { mainFields, requestFor } from './fixtures.js';
import {
  AMOUNT,
  COUNTRY,
  CURRENCY,
  freezeClockAtNow,
  mainOnlyRequest,
  NOT_INTEGER,
  NOT_NUMBER,
  withCustomer,
} from './rules-fixture.js';

freezeClockAtNow();

describe('main fields', () => {
  const invalid: { name: string; main: Record<string, unknown>; path: string; message: string }[] = [
    ...[0, -1, 2 ** 53, Number.MAX_VALUE].map((amount) => ({
      name: `amount ${amount}`,
      main: { amount },
      path: 'amount',
      message: AMOUNT,
    })),
    ...[1.5, -1.5, 11.01].map((amount) => ({
      name: `amount ${amount}`,
      main: { amount },
      path: 'amount',
      message: NOT_INTEGER,
    })),
    ...['100', '11.00', ''].map((amount) => ({
      name: `amount ${JSON.stringify(amount)}`,
      main: { amount },
      path: 'amount',
      message: NOT_NUMBER,
    })),
    {
      name: 'amount "11.00" in JPY',
      main: { amount: '11.00', currency: 'JPY' },
      path: 'amount',
      message:
        'must be a JSON number, not text: amounts are integers in minor units (JPY is counted in whole units: 11 JPY is 11)',
    },

    { name: 'amount null', main: { amount: null }, path: 'amount', message: 'must be a number' },
    { name: 'amount missing', main: { amount: undefined }, path: 'amount', message: 'is required' },
    ...['usd', 'ABCD', 'US', 'ZZZ', 'EURO', ' USD'].map((currency) => ({
      name: `currency ${currency}`,
      main: { currency },
      path: 'currency',
      message: CURRENCY,
    })),
    { name: 'currency 840', main: { currency: 840 }, path: 'currency', message: CURRENCY },
    ...['XXX', 'XTS', 'XAU'].map((currency) => ({
      name: `currency ${currency}`,
      main: { currency },
      path: 'currency',
      message: `${currency} has no minor unit in ISO 4217 and is not money that can be paid`,
    })),
    ...['KWD', 'CLF', 'UGX', 'XOF'].map((currency) => ({
      name: `currency ${currency} (unit not confirmed)`,
      main: { currency },
      path: 'currency',
      message: DEFAULT_CURRENCIES.unitRefusal(currency) as string,
    })),
    { name: 'currency missing', main: { currency: undefined }, path: 'currency', message: 'is required' },
    ...['ZZ', 'UK', 'EU', 'lv', 'Lv', 'LVA', '', '**'].map((country) => ({
      name: `country ${JSON.stringify(country)}`,
      main: withCustomer({ country }),
      path: 'customer.country',
      message: COUNTRY,
    })),
    ...['', 'x'.repeat(256), 'po 1001', 'po/1001', 'po%3A1001', 'po#1', 'pö-1', 'po\n1'].map(
      (externalId) => ({
        name: `external_id ${JSON.stringify(externalId.length > 20 ? `${externalId.length} chars` : externalId)}`,
        main: { external_id: externalId },
        path: 'external_id',
        message: EXTERNAL_ID_MESSAGE,
      }),
    ),
    {
      name: 'external_id as a number',
      main: { external_id: 1001 },
      path: 'external_id',
      message: 'must be a string',
    },
    {
      name: 'payment_system empty',
      main: { payment_system: '' },
      path: 'payment_system',
      message: 'must not be empty',
    },
    {
      name: 'payment_system too long',
      main: { payment_system: 'P'.repeat(256) },
      path: 'payment_system',
      message: 'must be at most 255 characters',
    },
    {
      name: 'payment_system missing',
      main: { payment_system: undefined },
      path: 'payment_system',
      message: 'is required',
    },
    { name: 'customer missing', main: { customer: undefined }, path: 'customer', message: 'is required' },
    { name: 'customer null', main: { customer: null }, path: 'customer', message: 'must be an object' },
    { name: 'customer a string', main: { customer: 'test' }, path: 'customer', message: 'must be an object' },
    ...['customer_id', 'country', 'first_name', 'last_name'].map((field) => ({
      name: `customer.${field} missing`,
      main: withCustomer({ [field]: undefined }),
      path: `customer.${field}`,
      message: 'is required',
    })),
    {
      name: 'customer.first_name blank',
      main: withCustomer({ first_name: ' \t ' }),
      path: 'customer.first_name',
      message: 'must not be empty',
    },
    {
      name: 'customer.customer_id as a number',
      main: withCustomer({ customer_id: 7 }),
      path: 'customer.customer_id',
      message: 'must be a string',
    },
    {
      name: 'an unknown customer field',
      main: withCustomer({ email: 'john@example.com' }),
      path: 'customer.email',
      message: 'unknown field',
    },
    {
      name: 'an unknown top-level field',
      main: { signature: 'abc' },
      path: 'signature',
      message: 'unknown field',
    },
  ];

  test('an amount in major units with an invalid currency gets the USD example beside the currency issue', () => {
    expect(validatePayoutRequest(mainOnlyRequest({ amount: 11.5, currency: 'usd' }))).toEqual({
      ok: false,
      issues: [
        { path: 'amount', message: NOT_INTEGER },
        { path: 'currency', message: CURRENCY },
      ],
    });
  });

  test('an amount in major units in a currency of unconfirmed unit gets the USD example, not a guess', () => {
    expect(validatePayoutRequest(mainOnlyRequest({ amount: 11.5, currency: 'KWD' }))).toEqual({
      ok: false,
      issues: [
        { path: 'amount', message: NOT_INTEGER },
        { path: 'currency', message: DEFAULT_CURRENCIES.unitRefusal('KWD') },
      ],
    });
  });

  test.each(invalid)('$name', ({ main, path, message }) => {
    const request = mainOnlyRequest(main);
    for (const [key, value] of Object.entries(main)) if (value === undefined) delete request[key];
    expect(validatePayoutRequest(request)).toEqual({ ok: false, issues: [{ path, message }] });
  });

  const valid: { name: string; main: Record<string, unknown> }[] = [
    { name: 'amount 1', main: { amount: 1 } },
    { name: 'amount 2^53 - 1', main: { amount: Number.MAX_SAFE_INTEGER } },
    ...['AZN', 'KRW', 'JPY', 'EUR'].map((currency) => ({ name: `currency ${currency}`, main: { currency } })),
    ...['GB', 'AZ', 'KR', 'XK'].map((country) => ({
      name: `country ${country}`,
      main: withCustomer({ country }),
    })),
    { name: 'external_id of 255 characters', main: { external_id: 'x'.repeat(255) } },
    { name: 'external_id of every allowed character', main: { external_id: 'AZaz09._~:-' } },
    { name: 'external_id of digits only', main: { external_id: '1234512123124' } },
  ];
  test.each(valid)('$name is accepted', ({ main }) => {
    expect(validatePayoutRequest(mainOnlyRequest(main))).toEqual({
      ok: true,
      method: 'cis_transfer',
      request: { ...mainFields, ...main },
    });
  });

  test('names are trimmed in the output', () => {
    const result = validatePayoutRequest(
      mainOnlyRequest(withCustomer({ first_name: '  Test ', customer_id: ' test' })),
    );
    expect(result).toEqual({ ok: true, method: 'cis_transfer', request: mainFields });
  });
});

describe('the deployment’s currency rules', () => {
  const deployment = createCurrencies({ wholeUnit: ['JPY', 'UGX'], payout: ['EUR', 'UGX'] });
  const withCurrency = (currency: string) => mainOnlyRequest({ currency });

  test.each([
    { currency: 'EUR', payout: undefined, deposit: undefined },
    { currency: 'UGX', payout: undefined, deposit: undefined },
    {
      currency: 'JPY',
      payout: 'this deployment pays out only in EUR, UGX (PAYOUT_CURRENCIES)',
      deposit: undefined,
    },
    {
      currency: 'USD',
      payout: 'this deployment pays out only in EUR, UGX (PAYOUT_CURRENCIES)',
      deposit: undefined,
    },
    { currency: 'KRW', payout: deployment.unitRefusal('KRW'), deposit: deployment.unitRefusal('KRW') },
    { currency: 'KWD', payout: deployment.unitRefusal('KWD'), deposit: deployment.unitRefusal('KWD') },
  ])('$currency: payouts and deposits', ({ currency, payout, deposit }) => {
    const expected = (message: string | undefined) =>
      message === undefined ? { ok: true } : { ok: false, issues: [{ path: 'currency', message }] };
    expect(validatePayoutRequest(withCurrency(currency), deployment)).toMatchObject(expected(payout));
    const depositRequest = requestFor('cis_transfer', 'deposit', {}, { currency });
    expect(validateDepositRequest(depositRequest, deployment)).toMatchObject(expected(deposit));
  });

  test('the amount example follows the deployment’s units', () => {
    const result = validatePayoutRequest(mainOnlyRequest({ amount: '11', currency: 'UGX' }), deployment);
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'amount',
          message:
            'must be a JSON number, not text: amounts are integers in minor units (UGX is counted in whole units: 11 UGX is 11)',
        },
      ],
    });
  });
});
