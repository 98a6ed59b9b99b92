import { describe, expect, test } from 'vitest';
import { validateDepositRequest, validatePayoutRequest } from '../../../src/methods/index.js';
import { mainFields, requestFor } from './fixtures.js';
import {
  AMOUNT,
  COUNTRY,
  CURRENCY,
  freezeClockAtNow,
  METHOD,
  METHOD_REQUIRED,
  validators,
} from './rules-fixture.js';

freezeClockAtNow();

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
