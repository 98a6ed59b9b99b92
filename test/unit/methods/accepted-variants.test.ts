import { describe, expect, test } from 'vitest';
import type { Direction, MethodId } from '../../../src/methods/index.js';
import { AZN_BANK_NAMES } from '../../../src/methods/p2p-card.js';
import { examples, mainFields, requestFor } from './fixtures.js';
import { freezeClockAtNow, validate } from './rules-fixture.js';

freezeClockAtNow();

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
