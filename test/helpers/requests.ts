import { randomBytes } from 'node:crypto';

/** A valid bank-card payout request (the seed's example), with a fresh external_id. */
export function cardPayout(overrides: Record<string, unknown> = {}) {
  return {
    method: 'bank_card',
    payment_system: 'TEST_PS',
    external_id: `po-${randomBytes(6).toString('hex')}`,
    amount: 1100000,
    currency: 'USD',
    customer: { customer_id: 'test', country: 'LV', first_name: 'Test', last_name: 'Test' },
    payment_data: {
      card_number: '4111111111111111',
      card_holder: 'John Doe',
      exp_year: '2030',
      exp_month: '06',
    },
    ...overrides,
  };
}
