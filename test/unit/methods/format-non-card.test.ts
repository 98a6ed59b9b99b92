import { describe, expect, test } from 'vitest';
import { requestFor } from './fixtures.js';
import { EMAIL, freezeClockAtNow, PHONE, type Row, validate } from './rules-fixture.js';

freezeClockAtNow();

/** One failing case per format rule of the methods other than cards; `issues` is the exact answer. */
const formatRules: Row[] = [
  ...(['payout', 'deposit'] as const).map(
    (direction): Row => ({
      name: 'vega: empty password',
      method: 'vega_wallet',
      direction,
      patch: { password: '' },
      issues: [{ path: 'payment_data.password', message: 'must not be empty' }],
    }),
  ),
  {
    name: 'jeton: wallet as a number',
    method: 'jeton_wallet',
    direction: 'payout',
    patch: { wallet: 12345678 },
    issues: [{ path: 'payment_data.wallet', message: 'must be a string' }],
  },
  {
    name: 'ecopayz: blank wallet',
    method: 'ecopayz',
    direction: 'payout',
    patch: { wallet: ' ' },
    issues: [{ path: 'payment_data.wallet', message: 'must not be empty' }],
  },
  ...['john', 'john@', '@example.com', 'john doe@example.com'].map(
    (wallet): Row => ({
      name: `sticpay: wallet ${wallet}`,
      method: 'sticpay',
      direction: 'payout',
      patch: { wallet },
      issues: [{ path: 'payment_data.wallet', message: EMAIL }],
    }),
  ),
  ...(['emanat', 'm10_wallet'] as const).flatMap((method) =>
    ['99493433150', '9949343315040', '+994934331504', '0934331504', '995934331504', '994 93 433 15 04'].map(
      (phone): Row => ({
        name: `${method}: phone ${phone}`,
        method,
        direction: 'payout',
        patch: { phone },
        issues: [{ path: 'payment_data.phone', message: PHONE }],
      }),
    ),
  ),
  {
    name: 'emanat: bad phone_number alias',
    method: 'emanat',
    direction: 'payout',
    patch: { phone: undefined, phone_number: '12345' },
    issues: [{ path: 'payment_data.phone_number', message: PHONE }],
  },
  {
    name: 'emanat: phone and phone_number differ',
    method: 'emanat',
    direction: 'payout',
    patch: { phone_number: '994934331505' },
    issues: [{ path: 'payment_data.phone_number', message: 'differs from phone; send one of the two' }],
  },
  {
    name: 'm10: phone_number is no alias',
    method: 'm10_wallet',
    direction: 'payout',
    patch: { phone: undefined, phone_number: '994934331504' },
    issues: [
      { path: 'payment_data.phone', message: 'is required' },
      { path: 'payment_data.phone_number', message: 'unknown field: m10_wallet payouts do not take it' },
    ],
  },
  ...(['payout', 'deposit'] as const).flatMap((direction): Row[] => [
    ...['Viber', 'telegram', 'WHATSAPP'].map((messenger) => ({
      name: `cash: messenger ${messenger}`,
      method: 'cash' as const,
      direction,
      patch: { messenger },
      issues: [{ path: 'payment_data.messenger', message: 'must be Telegram or WhatsApp' }],
    })),
    ...[true, false, 'yes', 'TRUE', '1'].map((asap) => ({
      name: `cash: asap ${JSON.stringify(asap)}`,
      method: 'cash' as const,
      direction,
      patch: { asap },
      issues: [{ path: 'payment_data.asap', message: 'must be the string "true" or "false"' }],
    })),
    ...['2025-01-11T12:28:28', '2025-01-11 12:28', '11.01.2025 12:28:28', '2025-1-11 12:28:28', ''].map(
      (deliveryTime) => ({
        name: `cash: delivery_time ${JSON.stringify(deliveryTime)}`,
        method: 'cash' as const,
        direction,
        patch: { delivery_time: deliveryTime },
        issues: [
          {
            path: 'payment_data.delivery_time',
            message: 'must be YYYY-MM-DD HH:mm:ss, e.g. 2025-01-11 12:28:28',
          },
        ],
      }),
    ),
    ...[
      '2025-02-30 25:61:00',
      '2025-02-29 12:00:00',
      '1900-02-29 12:00:00',
      '2025-04-31 10:00:00',
      '2025-13-01 10:00:00',
      '2025-00-10 10:00:00',
      '2025-01-00 10:00:00',
      '2025-01-11 24:00:00',
      '2025-01-11 12:60:00',
      '2025-01-11 12:00:60',
    ].map((deliveryTime) => ({
      name: `cash: delivery_time ${deliveryTime}`,
      method: 'cash' as const,
      direction,
      patch: { delivery_time: deliveryTime },
      issues: [{ path: 'payment_data.delivery_time', message: 'is not a real calendar date and time' }],
    })),
  ]),
  {
    name: 'bank transfer: blank account number',
    method: 'bank_transfer',
    direction: 'payout',
    patch: { account_number: '' },
    issues: [{ path: 'payment_data.account_number', message: 'must not be empty' }],
  },
  {
    name: 'bank transfer deposit: payout fields are unknown',
    method: 'bank_transfer',
    direction: 'deposit',
    patch: { account_number: '1234567890' },
    issues: [
      {
        path: 'payment_data.account_number',
        message: 'unknown field: bank_transfer deposits do not take it',
      },
    ],
  },
  ...(['kakaopay', 'toss', 'payco'] as const).flatMap((method) =>
    (['payout', 'deposit'] as const).flatMap((direction): Row[] => [
      {
        name: `${method}: bad e-mail`,
        method,
        direction,
        patch: { email: 'john@' },
        issues: [{ path: 'payment_data.email', message: EMAIL }],
      },
      {
        name: `${method}: e-mail over 254 characters`,
        method,
        direction,
        patch: { email: `${'j'.repeat(243)}@example.com` },
        issues: [{ path: 'payment_data.email', message: 'must be at most 254 characters' }],
      },
    ]),
  ),
];

describe('format rules', () => {
  test.each(formatRules)('$direction $name', ({ method, direction, patch, main, issues }) => {
    expect(validate[direction](requestFor(method, direction, patch, main))).toEqual({ ok: false, issues });
  });
});
