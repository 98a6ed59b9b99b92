import { describe, expect, test } from 'vitest';
import { type MethodId, maskPaymentData, methodIds, methods } from '../../../src/methods/index.js';
import { examples } from './fixtures.js';

const card = { card_number: '4111111111111111', card_holder: 'John Doe', exp_year: '2028', exp_month: '06' };

const table: { method: MethodId; input: unknown; masked: Record<string, string> }[] = [
  {
    method: 'bank_card',
    input: { ...card, cvv: '987' },
    masked: { card_number: '411111******1111', card_holder: 'John Doe', exp_year: '2028', exp_month: '06' },
  },
  {
    method: 'bank_card',
    input: { card_number: '4000000000000000006' },
    masked: { card_number: '400000*********0006' },
  },
  // Fewer than 16 digits: the first six would leave too few hidden, so only the last four show.
  {
    method: 'bank_card',
    input: { card_number: '378282246310005' },
    masked: { card_number: '***********0005' },
  },
  { method: 'bank_card', input: { card_number: '411111111116' }, masked: { card_number: '********1116' } },
  // Not digits only (a raw, unvalidated value): treated as an opaque string.
  {
    method: 'bank_card',
    input: { card_number: '4111 1111 1111 1111' },
    masked: { card_number: '***************1111' },
  },
  {
    method: 'bank_card',
    input: { card_number: 4111111111111111, card_holder: 'J' },
    masked: { card_holder: 'J' },
  },
  {
    method: 'p2p_card',
    input: { bank_name: 'Kapital bank', card_number: '5555555555554444', card_holder: 'John Doe' },
    masked: { bank_name: 'Kapital bank', card_number: '555555******4444', card_holder: 'John Doe' },
  },
  {
    method: 'vega_wallet',
    input: { wallet: 'U000060', password: 'jDgBvkukPAPJXiAg' },
    masked: { wallet: '***0060', password: '********' },
  },
  { method: 'jeton_wallet', input: { wallet: '12345678' }, masked: { wallet: '****5678' } },
  { method: 'jeton_wallet', input: { wallet: '1234' }, masked: { wallet: '****' } },
  { method: 'ecopayz', input: { wallet: '1100383615' }, masked: { wallet: '******3615' } },
  { method: 'sticpay', input: { wallet: 'john@example.com' }, masked: { wallet: 'j***@example.com' } },
  { method: 'sticpay', input: { wallet: 'j@example.com' }, masked: { wallet: 'j***@example.com' } },
  { method: 'sticpay', input: { wallet: 'not-an-address' }, masked: { wallet: '********' } },
  { method: 'sticpay', input: { wallet: '@example.com' }, masked: { wallet: '********' } },
  { method: 'emanat', input: { phone: '994934331504' }, masked: { phone: '994*****1504' } },
  { method: 'emanat', input: { phone_number: '994934331504' }, masked: {} },
  { method: 'm10_wallet', input: { phone: '994934331504' }, masked: { phone: '994*****1504' } },
  { method: 'm10_wallet', input: { phone: '+1 555 0100' }, masked: { phone: '*******0100' } },
  {
    method: 'cash',
    input: examples.cash.payout,
    masked: {
      address: '********',
      messenger: 'Telegram',
      username: '****',
      asap: 'true',
      delivery_time: '2025-01-11 12:28:28',
    },
  },
  { method: 'cash', input: { username: 'john_doe_88' }, masked: { username: '*******e_88' } },
  { method: 'cis_transfer', input: { anything: 'x' }, masked: {} },
  {
    method: 'bank_transfer',
    input: examples.bank_transfer.payout,
    masked: {
      account_number: '******7890',
      owner_name: 'John Doe',
      owner_native_name: 'John Doe',
      bank_name: 'Test Bank',
      branch_name: 'Central',
      bank_code: 'TB001',
    },
  },
  { method: 'kakaopay', input: { email: 'john@example.com' }, masked: { email: 'j***@example.com' } },
  { method: 'toss', input: { email: 'ännä@example.kr' }, masked: { email: 'ä***@example.kr' } },
  { method: 'payco', input: { email: '😀x@example.com' }, masked: { email: '😀***@example.com' } },
];

describe('masks', () => {
  test.each(table)('$method $input', ({ method, input, masked }) => {
    expect(maskPaymentData(method, input)).toEqual(masked);
    expect(methods[method].mask(input)).toEqual(masked);
  });
});

describe('no mask shows a card number, a password or a cvv', () => {
  const secrets = ['4111111111111111', 'jDgBvkukPAPJXiAg', '987'];
  const everything = {
    card_number: secrets[0],
    card_holder: 'John Doe',
    exp_year: '2028',
    exp_month: '06',
    cvv: secrets[2],
    cvc: secrets[2],
    wallet: 'U000060',
    password: secrets[1],
    phone: '994934331504',
    email: 'john@example.com',
    account_number: '1234567890',
    pan: secrets[0],
  };
  test.each(methodIds)('%s', (method) => {
    const masked = JSON.stringify(maskPaymentData(method, everything));
    for (const secret of secrets) expect(masked).not.toContain(secret);
    expect(masked).not.toContain('"cvv"');
  });
});

describe('maskPaymentData never throws', () => {
  const throwing = Object.defineProperty({}, 'card_number', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  const hostile = new Proxy(
    {},
    {
      getOwnPropertyDescriptor() {
        throw new Error('boom');
      },
    },
  );
  const rows: { name: string; method: string; input: unknown }[] = [
    { name: 'unknown method', method: 'visa', input: { card_number: '4111111111111111' } },
    { name: 'prototype key as method', method: '__proto__', input: {} },
    { name: 'inherited name as method', method: 'constructor', input: {} },
    { name: 'null', method: 'bank_card', input: null },
    { name: 'undefined', method: 'bank_card', input: undefined },
    { name: 'a string', method: 'bank_card', input: '4111111111111111' },
    { name: 'an array', method: 'bank_card', input: ['4111111111111111'] },
    { name: 'a throwing getter', method: 'bank_card', input: throwing },
    { name: 'a hostile proxy', method: 'bank_card', input: hostile },
    {
      name: 'an inherited field',
      method: 'bank_card',
      input: Object.create({ card_number: '4111111111111111' }),
    },
  ];
  test.each(rows)('$name gives {}', ({ method, input }) => {
    expect(maskPaymentData(method, input)).toEqual({});
  });
});
