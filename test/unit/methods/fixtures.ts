import type { Direction, MethodId } from '../../../src/methods/index.js';

/** The seed's main request (host-to-host.txt), with a country filled in. */
export const mainFields = {
  payment_system: 'TEST_PS',
  external_id: 'po-1001',
  amount: 1100000,
  currency: 'USD',
  customer: { customer_id: 'test', country: 'LV', first_name: 'Test', last_name: 'Test' },
};

const card = {
  card_number: '4111111111111111',
  card_holder: 'John Doe',
  exp_year: '2028',
  exp_month: '06',
};
const cash = {
  address: 'Street 12',
  messenger: 'Telegram',
  username: 'test',
  asap: 'true',
  delivery_time: '2025-01-11 12:28:28',
};
const owner = { owner_name: 'John Doe', owner_native_name: 'John Doe' };
// The source's e-mail examples are "[email protected]" (an e-mail obfuscator's leftovers); any real address stands in.
const email = { email: 'john@example.com' };

/**
 * The documented example payment_data of each method and direction; `null` = main only. The bank
 * transfer payout example is all "**" placeholders in the source, so its table's examples are used.
 */
export const examples: Record<MethodId, Record<Direction, Record<string, string> | null | undefined>> = {
  bank_card: { payout: card, deposit: { ...card, cvv: '123' } },
  p2p_card: {
    payout: { bank_name: 'Sberbank', card_number: '4111111111111111', card_holder: 'John Doe' },
    deposit: null,
  },
  vega_wallet: {
    payout: { wallet: 'U000060', password: 'jDgBvkukPAPJXiAg' },
    deposit: { wallet: 'U000060', password: 'jDgBvkukPAPJXiAg' },
  },
  jeton_wallet: { payout: { wallet: '12345678' }, deposit: { wallet: '12345678' } },
  ecopayz: { payout: { wallet: '1100383615' }, deposit: undefined },
  sticpay: { payout: { wallet: 'john@example.com' }, deposit: undefined },
  emanat: { payout: { phone: '994934331504' }, deposit: null },
  m10_wallet: { payout: { phone: '994934331504' }, deposit: null },
  cash: { payout: cash, deposit: cash },
  cis_transfer: { payout: null, deposit: null },
  bank_transfer: {
    payout: {
      account_number: '1234567890',
      ...owner,
      bank_name: 'Test Bank',
      branch_name: 'Central',
      bank_code: 'TB001',
    },
    deposit: owner,
  },
  kakaopay: { payout: email, deposit: email },
  toss: { payout: email, deposit: email },
  payco: { payout: email, deposit: email },
};

/** Every (method, direction) whose example has payment_data, with that example. */
export const withPaymentData = Object.entries(examples).flatMap(([method, byDirection]) =>
  (['payout', 'deposit'] as const).flatMap((direction) => {
    const data = byDirection[direction];
    return data ? [{ method: method as MethodId, direction, data }] : [];
  }),
);

/** Every (method, direction) that takes the main request only. */
export const mainOnly = Object.entries(examples).flatMap(([method, byDirection]) =>
  (['payout', 'deposit'] as const).flatMap((direction) =>
    byDirection[direction] === null ? [{ method: method as MethodId, direction }] : [],
  ),
);

/**
 * A request for `method` built from its example; `patch` overrides payment_data fields, and a field
 * patched to `undefined` is removed.
 */
export function requestFor(
  method: MethodId,
  direction: Direction,
  patch: Record<string, unknown> = {},
  main: Record<string, unknown> = {},
): Record<string, unknown> {
  const example = examples[method][direction];
  const request: Record<string, unknown> = { method, ...mainFields, ...main };
  if (example) {
    const data: Record<string, unknown> = { ...example, ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete data[key];
    request.payment_data = data;
  }
  return request;
}

/** A fixed "now" for card expiry, well before the examples' 06/2028 so the suite does not age. */
export const NOW = new Date('2027-03-15T12:00:00Z');
