import { describe, expect, test } from 'vitest';
import { createCurrencies, formatAmount, formatMinorUnits, showAmount } from '../../../src/currency/index.js';

describe('formatMinorUnits places the decimal point by the exponent', () => {
  test.each([
    { amount: 1100, exponent: 0, shown: '1,100' },
    { amount: 9_007_199_254_740_991, exponent: 0, shown: '9,007,199,254,740,991' },
    { amount: 1008, exponent: 2, shown: '10.08' },
    { amount: 5, exponent: 2, shown: '0.05' },
    { amount: 123_456_789, exponent: 2, shown: '1,234,567.89' },
    { amount: 9_007_199_254_740_991, exponent: 2, shown: '90,071,992,547,409.91' },
    { amount: 1_234_567, exponent: 3, shown: '1,234.567' },
    { amount: 1, exponent: 3, shown: '0.001' },
    { amount: 12_345, exponent: 4, shown: '1.2345' },
    { amount: 10_000, exponent: 4, shown: '1.0000' },
    { amount: -1008, exponent: 2, shown: '-10.08' },
    { amount: 0, exponent: 2, shown: '0.00' },
  ])('$amount with exponent $exponent → $shown', ({ amount, exponent, shown }) => {
    expect(formatMinorUnits(amount, exponent)).toBe(shown);
  });
});

describe('formatAmount and showAmount use the deployment’s units', () => {
  test.each([
    { amount: 1008, currency: 'EUR', formatted: '10.08 EUR', shown: '10.08 EUR (1008)' },
    { amount: 1100, currency: 'JPY', formatted: '1,100 JPY', shown: '1,100 JPY (1100)' },
    { amount: 150_000, currency: 'KRW', formatted: '150,000 KRW', shown: '150,000 KRW (150000)' },
    { amount: 1100000, currency: 'USD', formatted: '11,000.00 USD', shown: '11,000.00 USD (1100000)' },
    {
      amount: 1100,
      currency: 'KWD',
      formatted: '1100 KWD (unit not confirmed)',
      shown: '1100 KWD (unit not confirmed)',
    },
  ])('$amount $currency', ({ amount, currency, formatted, shown }) => {
    expect(formatAmount(amount, currency)).toBe(formatted);
    expect(showAmount(amount, currency)).toBe(shown);
  });

  test('a currency the deployment takes in whole units is shown in whole units', () => {
    const currencies = createCurrencies({ wholeUnit: ['KWD', 'HUF'] });
    expect(formatAmount(1100, 'KWD', currencies)).toBe('1,100 KWD');
    expect(formatAmount(1100, 'HUF', currencies)).toBe('1,100 HUF');
    expect(formatAmount(1100, 'HUF')).toBe('11.00 HUF');
  });
});
