import { describe, expect, test, vi } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { NOW, requestFor } from './fixtures.js';
import {
  AZN_BANKS,
  CARD_DIGITS,
  CVV_REFUSED,
  EXPIRED,
  freezeClockAtNow,
  LUHN,
  MONTH,
  type Row,
  validate,
  YEAR,
} from './rules-fixture.js';

freezeClockAtNow();

/** One failing case per card format rule (bank_card, p2p_card); `issues` is the exact answer. */
const formatRules: Row[] = [
  ...(['payout', 'deposit'] as const).flatMap((direction): Row[] => [
    ...[
      ['Luhn', '4111111111111112', LUHN],
      ['11 digits', '41111111111', CARD_DIGITS],
      ['20 digits', '41111111111111111111', CARD_DIGITS],
      ['letters', '4111abcd11111111', CARD_DIGITS],
      ['spaces', '4111 1111 1111 1111', CARD_DIGITS],
      ['dashes', '4111-1111-1111-1111', CARD_DIGITS],
    ].map(([name = '', value, message = '']) => ({
      name: `card number: ${name}`,
      method: 'bank_card' as const,
      direction,
      patch: { card_number: value },
      issues: [{ path: 'payment_data.card_number', message }],
    })),
    {
      name: 'card number as a JSON number',
      method: 'bank_card',
      direction,
      patch: { card_number: 4111111111111111 },
      issues: [{ path: 'payment_data.card_number', message: 'must be a string' }],
    },
    ...['13', '00', '6', '1', 'ab', 6].map((value) => ({
      name: `month ${JSON.stringify(value)}`,
      method: 'bank_card' as const,
      direction,
      patch: { exp_month: value },
      issues: [
        { path: 'payment_data.exp_month', message: typeof value === 'string' ? MONTH : 'must be a string' },
      ],
    })),
    ...['28', '20280', '２０２８'].map((value) => ({
      name: `year ${value}`,
      method: 'bank_card' as const,
      direction,
      patch: { exp_year: value },
      issues: [{ path: 'payment_data.exp_year', message: YEAR }],
    })),
    {
      name: 'expired last year',
      method: 'bank_card',
      direction,
      patch: { exp_year: '2026', exp_month: '12' },
      issues: [{ path: 'payment_data.exp_year', message: EXPIRED }],
    },
    {
      name: 'expired last month',
      method: 'bank_card',
      direction,
      patch: { exp_year: '2027', exp_month: '02' },
      issues: [{ path: 'payment_data.exp_month', message: EXPIRED }],
    },
    {
      name: 'an invalid month is not also called expired',
      method: 'bank_card',
      direction,
      patch: { exp_year: '2020', exp_month: '13' },
      issues: [{ path: 'payment_data.exp_month', message: MONTH }],
    },
    {
      name: 'holder blank',
      method: 'bank_card',
      direction,
      patch: { card_holder: '   ' },
      issues: [{ path: 'payment_data.card_holder', message: 'must not be empty' }],
    },
    {
      name: 'holder too long',
      method: 'bank_card',
      direction,
      patch: { card_holder: 'J'.repeat(256) },
      issues: [{ path: 'payment_data.card_holder', message: 'must be at most 255 characters' }],
    },
    {
      name: 'holder with a line break',
      method: 'bank_card',
      direction,
      patch: { card_holder: 'John\nDoe' },
      issues: [{ path: 'payment_data.card_holder', message: 'must not contain control characters' }],
    },
  ]),
  ...['123', '', null].map(
    (cvv): Row => ({
      name: `payout with cvv ${JSON.stringify(cvv)}`,
      method: 'bank_card',
      direction: 'payout',
      patch: { cvv },
      issues: [{ path: 'payment_data.cvv', message: CVV_REFUSED }],
    }),
  ),
  ...['12', '12345', '12a', ''].map(
    (cvv): Row => ({
      name: `deposit cvv ${JSON.stringify(cvv)}`,
      method: 'bank_card',
      direction: 'deposit',
      patch: { cvv },
      issues: [{ path: 'payment_data.cvv', message: 'must be 3 or 4 digits' }],
    }),
  ),
  {
    name: 'p2p: AZN with a bank not on the list',
    method: 'p2p_card',
    direction: 'payout',
    patch: {},
    main: { currency: 'AZN' },
    issues: [{ path: 'payment_data.bank_name', message: AZN_BANKS }],
  },
  {
    name: 'p2p: AZN with the source\'s cut-off "ATB ban"',
    method: 'p2p_card',
    direction: 'payout',
    patch: { bank_name: 'ATB ban' },
    main: { currency: 'AZN' },
    issues: [{ path: 'payment_data.bank_name', message: AZN_BANKS }],
  },
  {
    name: 'p2p: AZN rule waits for a valid bank_name',
    method: 'p2p_card',
    direction: 'payout',
    patch: { bank_name: '' },
    main: { currency: 'AZN' },
    issues: [{ path: 'payment_data.bank_name', message: 'must not be empty' }],
  },
  {
    name: 'p2p: Luhn',
    method: 'p2p_card',
    direction: 'payout',
    patch: { card_number: '4111111111111112' },
    issues: [{ path: 'payment_data.card_number', message: LUHN }],
  },
  {
    name: 'p2p: a cvv is an unknown field',
    method: 'p2p_card',
    direction: 'payout',
    patch: { cvv: '123' },
    issues: [{ path: 'payment_data.cvv', message: 'unknown field: p2p_card payouts do not take it' }],
  },
];

describe('format rules', () => {
  test.each(formatRules)('$direction $name', ({ method, direction, patch, main, issues }) => {
    expect(validate[direction](requestFor(method, direction, patch, main))).toEqual({ ok: false, issues });
  });
});

describe('card expiry follows the clock, by month', () => {
  const cases = [
    { now: '2028-06-30T23:59:59Z', ok: true },
    { now: '2028-07-01T00:00:00Z', ok: false },
    { now: '2029-01-01T00:00:00Z', ok: false },
  ];
  test.each(cases)('a 06/2028 card at $now: ok=$ok', ({ now, ok }) => {
    vi.setSystemTime(new Date(now));
    try {
      expect(validatePayoutRequest(requestFor('bank_card', 'payout')).ok).toBe(ok);
    } finally {
      vi.setSystemTime(NOW);
    }
  });
});
