import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  type Direction,
  type MethodId,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { AZN_BANK_NAMES } from '../../../src/methods/p2p-card.js';
import { examples, mainFields, mainOnly, NOW, requestFor, withPaymentData } from './fixtures.js';

const validate = { payout: validatePayoutRequest, deposit: validateDepositRequest };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

describe('the documented examples pass', () => {
  test.each(withPaymentData)('$method $direction', ({ method, direction, data }) => {
    expect(validate[direction](requestFor(method, direction))).toEqual({
      ok: true,
      method,
      request: { ...mainFields, payment_data: data },
    });
  });

  test.each(mainOnly)('$method $direction (main only): no payment_data is sent', ({ method, direction }) => {
    expect(validate[direction](requestFor(method, direction))).toEqual({
      ok: true,
      method,
      request: mainFields,
    });
  });
});

describe('each required field, when missing, is reported at its path', () => {
  const rows = withPaymentData.flatMap(({ method, direction, data }) =>
    Object.keys(data).map((field) => ({ method, direction, field })),
  );
  test.each(rows)('$method $direction without $field', ({ method, direction, field }) => {
    const message = method === 'emanat' ? 'is required (phone_number is accepted too)' : 'is required';
    expect(validate[direction](requestFor(method, direction, { [field]: undefined }))).toEqual({
      ok: false,
      issues: [{ path: `payment_data.${field}`, message }],
    });
  });

  test.each(withPaymentData)('$method $direction without payment_data', ({ method, direction }) => {
    const request = requestFor(method, direction);
    delete request.payment_data;
    expect(validate[direction](request)).toEqual({
      ok: false,
      issues: [{ path: 'payment_data', message: 'is required' }],
    });
  });
});

describe('payment_data is strict', () => {
  test.each(withPaymentData)('$method $direction refuses an unknown field', ({ method, direction }) => {
    expect(validate[direction](requestFor(method, direction, { nickname: 'x' }))).toEqual({
      ok: false,
      issues: [
        { path: 'payment_data.nickname', message: `unknown field: ${method} ${direction}s do not take it` },
      ],
    });
  });

  const notObjects = withPaymentData.flatMap((row) =>
    [null, [], 'x', 5, true].map((value) => ({ ...row, value })),
  );
  test.each(notObjects)('$method $direction refuses payment_data $value', ({ method, direction, value }) => {
    expect(validate[direction]({ ...requestFor(method, direction), payment_data: value })).toEqual({
      ok: false,
      issues: [{ path: 'payment_data', message: 'must be an object' }],
    });
  });
});

describe('main-only directions take no payment_data', () => {
  test.each(mainOnly)('$method $direction: {} is accepted and left out', ({ method, direction }) => {
    expect(validate[direction]({ ...requestFor(method, direction), payment_data: {} })).toEqual({
      ok: true,
      method,
      request: mainFields,
    });
  });

  test.each(mainOnly)('$method $direction: a field is refused', ({ method, direction }) => {
    expect(
      validate[direction]({ ...requestFor(method, direction), payment_data: { phone: '994934331504' } }),
    ).toEqual({
      ok: false,
      issues: [{ path: 'payment_data.phone', message: `${method} ${direction}s take no payment_data` }],
    });
  });

  const notObjects = mainOnly.flatMap((row) => [null, [], 'x', 0].map((value) => ({ ...row, value })));
  test.each(notObjects)(
    '$method $direction: payment_data $value is refused',
    ({ method, direction, value }) => {
      expect(validate[direction]({ ...requestFor(method, direction), payment_data: value })).toEqual({
        ok: false,
        issues: [{ path: 'payment_data', message: `${method} ${direction}s take no payment_data` }],
      });
    },
  );
});

const CARD_DIGITS = 'must be 12 to 19 digits, without spaces or dashes';
const LUHN = 'is not a valid card number (the check digit does not match)';
const MONTH = 'must be two digits from 01 to 12, e.g. 06';
const YEAR = 'must be four digits, e.g. 2028';
const EXPIRED = 'the card has expired';
const CVV_REFUSED = 'card security codes (cvv) are never accepted for payouts';
const PHONE = 'must be 994 followed by 9 digits, e.g. 994934331504';
const EMAIL = 'must be an e-mail address, e.g. john@example.com';
const AZN_BANKS = `for AZN must be one of: ${AZN_BANK_NAMES.join(', ')}`;

type Row = {
  name: string;
  method: MethodId;
  direction: Direction;
  patch: Record<string, unknown>;
  main?: Record<string, unknown>;
  issues: { path: string; message: string }[];
};

/** One failing case per format rule; `issues` is the exact answer. */
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

describe('accepted variants and normalization', () => {
  type Accepted = {
    name: string;
    method: MethodId;
    direction: Direction;
    patch: Record<string, unknown>;
    main?: Record<string, unknown>;
    paymentData: Record<string, string>;
  };
  const card = examples.bank_card.payout!;
  const p2p = examples.p2p_card.payout!;
  const accepted: Accepted[] = [
    {
      name: 'a card expiring this month',
      method: 'bank_card',
      direction: 'payout',
      patch: { exp_year: '2027', exp_month: '03' },
      paymentData: { ...card, exp_year: '2027', exp_month: '03' },
    },
    {
      name: 'a 19-digit card',
      method: 'bank_card',
      direction: 'payout',
      patch: { card_number: '4000000000000000006' },
      paymentData: { ...card, card_number: '4000000000000000006' },
    },
    {
      name: 'a 4-digit cvv on a deposit',
      method: 'bank_card',
      direction: 'deposit',
      patch: { cvv: '1234' },
      paymentData: { ...card, cvv: '1234' },
    },
    {
      name: 'the holder is trimmed',
      method: 'bank_card',
      direction: 'payout',
      patch: { card_holder: '  John Doe ' },
      paymentData: card,
    },
    ...AZN_BANK_NAMES.map(
      (bankName): Accepted => ({
        name: `p2p AZN ${bankName}`,
        method: 'p2p_card',
        direction: 'payout',
        patch: { bank_name: bankName },
        main: { currency: 'AZN' },
        paymentData: { ...p2p, bank_name: bankName },
      }),
    ),
    ...['USD', 'EUR', 'RUB'].map(
      (currency): Accepted => ({
        name: `p2p ${currency} with any bank`,
        method: 'p2p_card',
        direction: 'payout',
        patch: { bank_name: 'Some Bank Not Listed' },
        main: { currency },
        paymentData: { ...p2p, bank_name: 'Some Bank Not Listed' },
      }),
    ),
    {
      name: 'a password is kept exactly as typed',
      method: 'vega_wallet',
      direction: 'payout',
      patch: { password: ' pass word ' },
      paymentData: { wallet: 'U000060', password: ' pass word ' },
    },
    {
      name: 'emanat: phone_number alias becomes phone',
      method: 'emanat',
      direction: 'payout',
      patch: { phone: undefined, phone_number: '994934331504' },
      paymentData: { phone: '994934331504' },
    },
    {
      name: 'emanat: phone and an equal phone_number',
      method: 'emanat',
      direction: 'payout',
      patch: { phone_number: '994934331504' },
      paymentData: { phone: '994934331504' },
    },
    {
      name: 'cash: WhatsApp, "false", a leap day',
      method: 'cash',
      direction: 'payout',
      patch: { messenger: 'WhatsApp', asap: 'false', delivery_time: '2024-02-29 23:59:59' },
      paymentData: {
        ...examples.cash.payout!,
        messenger: 'WhatsApp',
        asap: 'false',
        delivery_time: '2024-02-29 23:59:59',
      },
    },
    {
      name: 'cash: 2000 was a leap year',
      method: 'cash',
      direction: 'deposit',
      patch: { delivery_time: '2000-02-29 00:00:00' },
      paymentData: { ...examples.cash.deposit!, delivery_time: '2000-02-29 00:00:00' },
    },
  ];
  test.each(accepted)('$direction $name', ({ method, direction, patch, main, paymentData }) => {
    expect(validate[direction](requestFor(method, direction, patch, main))).toEqual({
      ok: true,
      method,
      request: { ...mainFields, ...main, payment_data: paymentData },
    });
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
