import { describe, expect, test } from 'vitest';
import { methodNamedBy, validateGatewayBody } from '../../../src/sandbox/infer-method.js';

const main = {
  payment_system: 'TEST_PS',
  external_id: 'po-1',
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: 'c-1', country: 'LV', first_name: 'A', last_name: 'B' },
  signature: 'ignored-here',
};
const card = { card_number: '4111111111111111', card_holder: 'John Doe', exp_year: '2030', exp_month: '06' };

describe('which method the sandbox validates with', () => {
  test.each<[string, string | undefined]>([
    ['TEST_PS', undefined],
    ['BANK_CARD', 'bank_card'],
    ['bank_card', 'bank_card'],
    ['EMANAT_AZN', 'emanat'],
    ['P2P_CARD_RUB', 'p2p_card'],
    ['BANK_CARDS', undefined],
    ['CASHAPP', undefined],
    [' toss ', 'toss'],
    ['', undefined],
  ])('payment_system %j names %s', (paymentSystem, expected) => {
    expect(methodNamedBy(paymentSystem)).toBe(expected);
  });

  test.each<[string, Record<string, unknown> | undefined, string]>([
    ['a card payout', card, 'bank_card'],
    [
      'a p2p card payout',
      { bank_name: 'Kapital Bank', card_number: '4111111111111111', card_holder: 'J D' },
      'p2p_card',
    ],
    ['a phone payout', { phone: '994934331504' }, 'emanat'],
    ['a wallet payout', { wallet: 'U000060', password: 'pw' }, 'vega_wallet'],
    ['an e-mail payout', { email: 'a@example.com' }, 'kakaopay'],
    ['a payout without payment_data', undefined, 'cis_transfer'],
  ])('%s by its payment_data under TEST_PS', (_name, paymentData, method) => {
    const result = validateGatewayBody(
      { ...main, ...(paymentData ? { payment_data: paymentData } : {}) },
      'payout',
    );
    expect(result).toMatchObject({ ok: true, method });
  });

  test('the closest method names the missing field', () => {
    const { card_holder: _, ...withoutHolder } = card;
    expect(validateGatewayBody({ ...main, payment_data: withoutHolder }, 'payout')).toEqual({
      ok: false,
      issues: [{ path: 'payment_data.card_holder', message: 'is required' }],
    });
  });

  test('a named method validates with that method only', () => {
    const result = validateGatewayBody(
      { ...main, payment_system: 'EMANAT_AZN', payment_data: card },
      'payout',
    );
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.issues.map((i) => i.path)).toContain('payment_data.phone');
  });

  test('a named method that takes no deposits is the payment_system at fault', () => {
    const result = validateGatewayBody(
      { ...main, payment_system: 'ECOPAYZ', payment_data: { wallet: '1100383615' } },
      'deposit',
    );
    expect(result).toMatchObject({ ok: false, issues: [{ path: 'payment_system' }] });
  });

  test('main-field issues are named too', () => {
    const result = validateGatewayBody({ ...main, currency: 'usd', payment_data: card }, 'payout');
    expect(result).toMatchObject({ ok: false, issues: [{ path: 'currency' }] });
  });
});
