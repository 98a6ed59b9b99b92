import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCurrencies, DEFAULT_CURRENCIES } from '../../../src/currency/index.js';
import {
  EXTERNAL_ID_MESSAGE,
  methodIds,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { mainFields, NOW, requestFor } from './fixtures.js';

const validators = [
  { direction: 'payout', validate: validatePayoutRequest },
  { direction: 'deposit', validate: validateDepositRequest },
] as const;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

const AMOUNT = 'must be a positive whole number of minor units, at most 2^53 - 1';
const CURRENCY = 'must be an active ISO 4217 currency code in upper case, e.g. USD';
const COUNTRY = 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. LV';
const METHOD = `must be one of: ${methodIds.join(', ')}`;
const METHOD_REQUIRED = `is required: one of ${methodIds.join(', ')}`;
const NOT_INTEGER = 'must be an integer: amounts are in minor units (11.00 USD is 1100)';
const NOT_NUMBER = 'must be a JSON number, not text: amounts are integers in minor units (11.00 USD is 1100)';

/** cis_transfer takes no payment_data either way, so only the main fields can fail. */
function mainOnlyRequest(main: Record<string, unknown>): Record<string, unknown> {
  return requestFor('cis_transfer', 'payout', {}, main);
}

function withCustomer(customer: Record<string, unknown>): Record<string, unknown> {
  return { customer: { ...mainFields.customer, ...customer } };
}

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

describe('method', () => {
  const bad: { name: string; method: unknown }[] = [
    { name: 'missing', method: undefined },
    { name: 'unknown', method: 'visa' },
    { name: 'wrong case', method: 'BANK_CARD' },
    { name: 'a prototype key', method: '__proto__' },
    { name: 'an inherited name', method: 'toString' },
    { name: 'a number', method: 1 },
    { name: 'null', method: null },
  ];
  const rows = validators.flatMap((v) => bad.map((b) => ({ ...v, ...b })));
  test.each(rows)('$direction: $name is refused with the list of ids', ({ validate, method }) => {
    const request: Record<string, unknown> = { ...mainFields, method };
    if (method === undefined) delete request.method;
    const message = method === undefined ? METHOD_REQUIRED : METHOD;
    expect(validate(request)).toEqual({ ok: false, issues: [{ path: 'method', message }] });
  });

  test.each(['ecopayz', 'sticpay'])('a deposit with %s is refused', (method) => {
    expect(
      validateDepositRequest({ ...mainFields, method, payment_data: { wallet: 'john@example.com' } }),
    ).toEqual({
      ok: false,
      issues: [{ path: 'method', message: `${method} does not offer deposits` }],
    });
  });

  test('an unknown method still reports the main fields, and nothing about payment_data', () => {
    expect(
      validatePayoutRequest({ ...mainFields, method: 'visa', amount: 0, payment_data: 'anything' }),
    ).toEqual({
      ok: false,
      issues: [
        { path: 'method', message: METHOD },
        { path: 'amount', message: AMOUNT },
      ],
    });
  });
});

describe('the body as a whole', () => {
  const notObjects: unknown[] = [null, undefined, [], [mainFields], 'request', 42, true];
  const rows = validators.flatMap((v) => notObjects.map((body) => ({ ...v, body })));
  test.each(rows)('$direction refuses $body', ({ validate, body }) => {
    expect(validate(body)).toEqual({
      ok: false,
      issues: [{ path: '', message: 'the request must be a JSON object' }],
    });
  });

  test('every issue is collected: method, main fields and payment_data', () => {
    const request = requestFor(
      'bank_card',
      'payout',
      { card_number: '4111111111111112', exp_month: '13', cvv: '123' },
      { amount: -5, currency: 'usd', customer: { ...mainFields.customer, country: 'UK' }, extra: true },
    );
    expect(validatePayoutRequest(request)).toEqual({
      ok: false,
      issues: [
        { path: 'amount', message: AMOUNT },
        { path: 'currency', message: CURRENCY },
        { path: 'customer.country', message: COUNTRY },
        { path: 'extra', message: 'unknown field' },
        {
          path: 'payment_data.card_number',
          message: 'is not a valid card number (the check digit does not match)',
        },
        { path: 'payment_data.exp_month', message: 'must be two digits from 01 to 12, e.g. 06' },
        { path: 'payment_data.cvv', message: 'card security codes (cvv) are never accepted for payouts' },
      ],
    });
  });

  test('the AZN bank rule is reported beside other main-field issues', () => {
    const request = requestFor('p2p_card', 'payout', {}, { currency: 'AZN', amount: 0 });
    const result = validatePayoutRequest(request);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((issue) => issue.path)).toEqual([
      'amount',
      'payment_data.bank_name',
    ]);
  });

  test('the output holds exactly the gateway fields, in a fresh object', () => {
    const input = requestFor('emanat', 'payout', { phone: undefined, phone_number: '994934331504' });
    const result = validatePayoutRequest(input);
    expect(result).toEqual({
      ok: true,
      method: 'emanat',
      request: { ...mainFields, payment_data: { phone: '994934331504' } },
    });
    expect(result.ok && Object.keys(result.request)).toEqual([
      'payment_system',
      'external_id',
      'amount',
      'currency',
      'customer',
      'payment_data',
    ]);
    expect(result.ok && result.request.customer).not.toBe(input.customer);
  });

  test('an unknown key shaped like a card number is not echoed in the path', () => {
    const result = validatePayoutRequest(
      requestFor(
        'toss',
        'payout',
        { '4111111111111111': 'x', 'john@example.com': 'y' },
        { '4242424242424242': 1 },
      ),
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: '', message: 'unknown field (its name is not shown)' },
        {
          path: 'payment_data',
          message: 'unknown field: toss payouts do not take it (its name is not shown)',
        },
      ],
    });
  });

  test.each(['_4111111111111111', 'x4242424242424242', 'card000000000000'])(
    'an unknown key that hides a card number behind a letter (%s) is not echoed either',
    (key) => {
      const result = validatePayoutRequest(requestFor('toss', 'payout', {}, { [key]: 1 }));
      expect(result).toEqual({
        ok: false,
        issues: [{ path: '', message: 'unknown field (its name is not shown)' }],
      });
    },
  );

  test('submitted values never appear in issues', () => {
    const [card, password, text] = ['4111111111111112', 'jDgBvkukPAPJXiAg', 'Sup3rS3cretPass'] as const;
    const results = [
      validatePayoutRequest(requestFor('bank_card', 'payout', { card_number: card, cvv: '987' })),
      validatePayoutRequest(requestFor('vega_wallet', 'payout', { password: password.repeat(20) })),
      validatePayoutRequest(requestFor('cash', 'payout', { messenger: text, asap: text })),
      validatePayoutRequest(requestFor('p2p_card', 'payout', { bank_name: text }, { currency: 'AZN' })),
      validatePayoutRequest({
        ...mainFields,
        method: card,
        external_id: text,
        amount: card,
      }),
    ];
    for (const result of results) {
      expect(result.ok).toBe(false);
      const answer = JSON.stringify(result);
      for (const secret of [card, password, text, '987']) expect(answer).not.toContain(secret);
    }
  });

  test('a flood of unknown fields gives a bounded answer', () => {
    const paymentData = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`field_${i}`, 'x']));
    const result = validatePayoutRequest({
      ...mainFields,
      method: 'cis_transfer',
      payment_data: paymentData,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(101);
    expect(result.issues[0]).toEqual({
      path: 'payment_data.field_0',
      message: 'cis_transfer payouts take no payment_data',
    });
    expect(result.issues[100]).toEqual({ path: '', message: '400 more issues not shown' });
  });

  test('__proto__ keys are plain unknown fields, and nothing is inherited', () => {
    const body = JSON.parse(
      '{"__proto__": {"method": "cis_transfer"}, "payment_system": "TEST_PS", "external_id": "po-1", "amount": 1,' +
        ' "currency": "USD", "customer": {"customer_id": "c", "country": "LV", "first_name": "T", "last_name": "T",' +
        ' "__proto__": {"x": 1}}}',
    );
    expect(validatePayoutRequest(body)).toEqual({
      ok: false,
      issues: [
        { path: 'method', message: METHOD_REQUIRED },
        { path: 'customer.__proto__', message: 'unknown field' },
        { path: '__proto__', message: 'unknown field' },
      ],
    });
  });

  test('huge and deeply nested values are refused, each field named', () => {
    const huge = '4'.repeat(5_000_000);
    let nested: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) nested = { a: nested };
    const result = validatePayoutRequest({
      method: 'sticpay',
      payment_system: huge,
      external_id: huge,
      amount: 1,
      currency: huge,
      customer: { customer_id: huge, country: huge, first_name: nested, last_name: [nested] },
      payment_data: { wallet: `${huge}@example.com`, nested },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((issue) => issue.path)).toEqual([
      'payment_system',
      'external_id',
      'currency',
      'customer.customer_id',
      'customer.country',
      'customer.first_name',
      'customer.last_name',
      'payment_data.wallet',
      'payment_data.nested',
    ]);
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

describe('not_before (a scheduled payout)', () => {
  const FORMAT = 'must be an ISO 8601 time with a time zone, e.g. 2026-12-24T09:00:00Z';
  const refused: { name: string; value: unknown; message: string }[] = [
    { name: 'no time zone', value: '2027-03-16T09:00:00', message: FORMAT },
    { name: 'a date alone', value: '2027-03-16', message: FORMAT },
    { name: 'epoch milliseconds', value: 1_805_000_000_000, message: FORMAT },
    {
      name: 'more than 90 days ahead',
      value: '2027-07-01T00:00:00Z',
      message: 'must be at most 90 days ahead',
    },
  ];
  test.each(refused)('$name is refused', ({ value, message }) => {
    expect(validatePayoutRequest(mainOnlyRequest({ not_before: value }))).toEqual({
      ok: false,
      issues: [{ path: 'not_before', message }],
    });
  });

  test.each([
    { given: '2027-03-16T09:00:00Z', normalized: '2027-03-16T09:00:00.000Z' },
    { given: '2027-03-16T11:00:00+02:00', normalized: '2027-03-16T09:00:00.000Z' },
    { given: '2020-01-01T00:00:00Z', normalized: '2020-01-01T00:00:00.000Z' },
  ])('$given is accepted as $normalized, and never reaches the gateway request', ({ given, normalized }) => {
    const result = validatePayoutRequest(mainOnlyRequest({ not_before: given }));
    expect(result).toEqual({ ok: true, method: 'cis_transfer', request: mainFields, notBefore: normalized });
  });

  test('deposits are sent at once: not_before is refused', () => {
    expect(
      validateDepositRequest(
        requestFor('cis_transfer', 'deposit', {}, { not_before: '2027-03-16T09:00:00Z' }),
      ),
    ).toEqual({
      ok: false,
      issues: [{ path: 'not_before', message: 'deposits are sent at once; not_before is for payouts' }],
    });
  });
});
