import fc from 'fast-check';
import { type MethodId, methodIds } from '../../../src/methods/index.js';
import { examples } from '../../unit/methods/fixtures.js';
import { apply, big, type Change, fromValue, type Node, obj, raw, serialize, str } from './json-model.js';
import {
  badAmount,
  badCardNumber,
  badCountry,
  badCurrency,
  badExpMonth,
  badExpYear,
  badExternalId,
  badMethod,
  badText,
} from './payout-bad-values.js';
import {
  anyKey,
  anyText,
  anyValue,
  cardKey,
  cardShaped,
  escapeOf,
  nanIsh,
  nonObject,
  nonString,
  oddText,
  poison,
  whitespace,
} from './values.js';

/**
 * Payout requests that are certainly invalid. Each starts from a valid request for one of the 14 methods
 * (the "payouts-body" file checks in-process that these starting points are valid), gets some noise that
 * may or may not be valid, then at least one *break*: a change that violates a rule of the contract
 * whatever else the request holds. Breaks come after the noise, and the only changes after the breaks
 * add duplicate keys *before* the last one (JSON.parse keeps the last), so nothing can undo a break.
 */

/** payment_data of a valid payout per method (the documented examples); `null`: the method takes none. */
export const VALID_PAYMENT_DATA = Object.fromEntries(
  Object.entries(examples).map(([method, byDirection]) => {
    const data = byDirection.payout;
    // The examples' card expires in 2028; the fuzz suite must not age.
    return [method, data ? { ...data, ...(method === 'bank_card' ? { exp_year: '2099' } : {}) } : null];
  }),
) as Record<MethodId, Record<string, string> | null>;

const TOP_KEYS = [
  'method',
  'payment_system',
  'external_id',
  'amount',
  'currency',
  'customer',
  'payment_data',
];
const REQUIRED_TOP_KEYS = TOP_KEYS.slice(0, 6);
const CUSTOMER_KEYS = ['customer_id', 'country', 'first_name', 'last_name'];
const CUSTOMER_TEXT_KEYS = ['customer_id', 'first_name', 'last_name'];

// ---------------------------------------------------------------------------------------------
// Valid starting points

export interface Base {
  method: MethodId;
  value: Record<string, unknown>;
}

export const validPayout: fc.Arbitrary<Base> = fc
  .record({
    method: fc.constantFrom(...methodIds),
    payment_system: fc.constantFrom('TEST_PS', 'PS-1', 'Visa Direct'),
    external_id: fc.stringMatching(/^[A-Za-z0-9._~:-]{1,64}$/),
    amount: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'KRW', 'JPY'),
    customer_id: fc.constantFrom('c-1', 'player-7', 'test'),
    country: fc.constantFrom('LV', 'AZ', 'KR', 'DE', 'US'),
    first_name: fc.constantFrom('John', 'Jöhn', '李', 'Test'),
    last_name: fc.constantFrom('Doe', 'Test', 'O’Brien'),
  })
  .map(({ method, customer_id, country, first_name, last_name, ...main }) => {
    const pd = VALID_PAYMENT_DATA[method];
    const value: Record<string, unknown> = {
      method,
      ...main,
      customer: { customer_id, country, first_name, last_name },
      ...(pd ? { payment_data: pd } : {}),
    };
    return { method, value };
  });

export const set = (path: string[], why: string) => (value: Node) =>
  ({ op: 'set', path, value, why }) as Change;

/** A key that no method, customer or main request knows. */
const unknownKey = (known: readonly string[]) =>
  fc.oneof(anyKey, cardKey).filter((k) => !known.includes(k) && !/^[a-z_]+$/.test(k));

// ---------------------------------------------------------------------------------------------
// Breaks

const mainBreak: fc.Arbitrary<Change> = fc.oneof(
  fc
    .constantFrom(...REQUIRED_TOP_KEYS)
    .map((k): Change => ({ op: 'remove', path: [k], why: `${k} missing` })),
  badMethod.map(set(['method'], 'bad method')),
  badText.map(set(['payment_system'], 'bad payment_system')),
  badExternalId.map(set(['external_id'], 'bad external_id')),
  badAmount.map(set(['amount'], 'bad amount')),
  badCurrency.map(set(['currency'], 'bad currency')),
  fc
    .record({ key: unknownKey(TOP_KEYS), value: anyValue })
    .map(({ key, value }): Change => ({ op: 'set', path: [key], value, why: 'unknown top-level field' })),
);

const customerBreak: fc.Arbitrary<Change> = fc.oneof(
  nonObject.map(set(['customer'], 'customer not an object')),
  fc
    .constantFrom(...CUSTOMER_KEYS)
    .map((k): Change => ({ op: 'remove', path: ['customer', k], why: `customer.${k} missing` })),
  fc
    .tuple(fc.constantFrom(...CUSTOMER_TEXT_KEYS), badText)
    .map(([k, v]): Change => ({ op: 'set', path: ['customer', k], value: v, why: `bad customer.${k}` })),
  badCountry.map(set(['customer', 'country'], 'bad customer.country')),
  fc.record({ key: unknownKey(CUSTOMER_KEYS), value: anyValue }).map(
    ({ key, value }): Change => ({
      op: 'set',
      path: ['customer', key],
      value,
      why: 'unknown customer field',
    }),
  ),
);

function paymentDataBreak(method: MethodId): fc.Arbitrary<Change> {
  const pd = VALID_PAYMENT_DATA[method];
  if (pd === null) {
    // Takes no payment_data: anything but absent or {} is wrong.
    return fc.oneof(
      nonObject.map(set(['payment_data'], `${method} takes no payment_data`)),
      fc
        .array(fc.record({ key: anyKey, value: anyValue }), { minLength: 1, maxLength: 3 })
        .map((entries) => set(['payment_data'], `${method} takes no payment_data`)(obj(entries))),
    );
  }
  const fields = Object.keys(pd);
  const breaks: fc.Arbitrary<Change>[] = [
    nonObject.map(set(['payment_data'], 'payment_data not an object')),
    fc.constant<Change>({ op: 'remove', path: ['payment_data'], why: 'payment_data missing' }),
    fc
      .constantFrom(...fields)
      .map((f): Change => ({ op: 'remove', path: ['payment_data', f], why: `payment_data.${f} missing` })),
    fc.tuple(fc.constantFrom(...fields), nonString).map(
      ([f, v]): Change => ({
        op: 'set',
        path: ['payment_data', f],
        value: v,
        why: `payment_data.${f} not a string`,
      }),
    ),
    fc.record({ key: unknownKey(fields), value: anyValue }).map(
      ({ key, value }): Change => ({
        op: 'set',
        path: ['payment_data', key],
        value,
        why: 'unknown payment_data field',
      }),
    ),
  ];
  if (method === 'bank_card') {
    breaks.push(
      badCardNumber.map(set(['payment_data', 'card_number'], 'bad card_number')),
      badExpMonth.map(set(['payment_data', 'exp_month'], 'bad exp_month')),
      badExpYear.map(set(['payment_data', 'exp_year'], 'bad or past exp_year')),
      fc
        .oneof(
          fc.constantFrom('123', '1234', '000').map((s) => str(s)),
          anyValue,
        )
        .map(set(['payment_data', 'cvv'], 'a cvv with a payout')),
    );
  }
  return fc.oneof(...breaks);
}

const rootBreak: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>({ op: 'root', how: 'array', why: 'body wrapped in an array' }),
  fc.constant<Change>({ op: 'root', how: 'string', why: 'body sent as a JSON string' }),
  nonObject.map((value): Change => ({ op: 'root', how: 'replace', value, why: 'body not an object' })),
);

const breakFor = (method: MethodId) =>
  fc.oneof(
    { weight: 5, arbitrary: mainBreak },
    { weight: 3, arbitrary: customerBreak },
    { weight: 4, arbitrary: paymentDataBreak(method) },
    { weight: 1, arbitrary: rootBreak },
  );

// ---------------------------------------------------------------------------------------------
// Noise: may or may not be valid on its own

const TEXT_PATHS = [
  ['payment_system'],
  ['customer', 'customer_id'],
  ['customer', 'first_name'],
  ['customer', 'last_name'],
];

const noise: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...TEXT_PATHS), fc.oneof(oddText, cardShaped, anyText))
      .map(([path, s]): Change => ({ op: 'set', path, value: str(s), why: 'odd text' })),
  },
  fc
    .tuple(
      fc.constantFrom(...TEXT_PATHS),
      fc.constantFrom('x', '漢', '😀', '\ud83d'),
      fc.integer({ min: 1, max: 5000 }),
    )
    .map(([path, unit, n]): Change => ({ op: 'set', path, value: big(unit, n), why: 'long text' })),
  fc.tuple(fc.constantFrom([], ['customer'], ['payment_data']), poison, escapeOf).map(
    ([parent, [key, value], esc]): Change => ({
      op: 'set',
      path: [...parent, key],
      value,
      ...(esc ? { esc } : {}),
      why: `prototype key ${key}`,
    }),
  ),
  fc
    .constantFrom('1e3', '100.0', '1E+2', '1000', '5e0')
    .map((t): Change => ({ op: 'set', path: ['amount'], value: raw(t), why: 'amount spelled oddly' })),
  nanIsh.map(
    (s): Change => ({ op: 'set', path: ['customer', 'customer_id'], value: str(s), why: 'NaN-ish id' }),
  ),
);

/** Duplicates of present keys, placed before the last one. */
const duplicate: fc.Arbitrary<Change> = fc
  .tuple(fc.constantFrom(...TOP_KEYS.map((k) => [k]), ...CUSTOMER_KEYS.map((k) => ['customer', k])), anyValue)
  .map(([path, value]): Change => ({ op: 'dup', path, value, why: 'duplicate key' }));

// ---------------------------------------------------------------------------------------------

export interface PayoutCase {
  /** What was broken, in order. */
  what: string[];
  body: string;
}

/** A payout body that breaks at least one rule. */
export const invalidPayout: fc.Arbitrary<PayoutCase> = validPayout.chain((base) =>
  fc
    .record({
      noise: fc.array(noise, { maxLength: 3 }),
      breaks: fc.array(breakFor(base.method), { minLength: 1, maxLength: 3 }),
      dups: fc.array(duplicate, { maxLength: 2 }),
      ws: whitespace,
    })
    .map(({ noise: before, breaks, dups, ws }) => {
      let body: Node = fromValue(base.value);
      for (const c of [...before, ...breaks, ...dups]) body = apply(body, c);
      return { what: [base.method, ...breaks.map((b) => b.why)], body: serialize(body, ws) };
    }),
);

/** A valid payout's JSON text, for cases where something other than the body is wrong. */
export const validPayoutText = fc
  .tuple(validPayout, whitespace)
  .map(([b, ws]) => serialize(fromValue(b.value), ws));
