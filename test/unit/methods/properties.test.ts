import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  methodIds,
  type ValidationResult,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { examples, mainFields, NOW } from './fixtures.js';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

const validators = [
  ['payout', validatePayoutRequest],
  ['deposit', validateDepositRequest],
] as const;

/** ok with a request, or a non-empty list of issues with string paths and messages. */
function expectWellFormed(result: ValidationResult): void {
  if (result.ok) {
    expect(methodIds).toContain(result.method);
    expect(typeof result.request).toBe('object');
    return;
  }
  expect(result.issues.length).toBeGreaterThan(0);
  for (const issue of result.issues) {
    expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

const fieldNames = [
  ...new Set(
    Object.values(examples).flatMap((byDirection) =>
      Object.values(byDirection).flatMap((data) => Object.keys(data ?? {})),
    ),
  ),
  'phone_number',
  'cvv',
  '__proto__',
  'constructor',
];

/** Leaves that are sometimes right, often nearly right, and sometimes anything at all. */
const leaf = fc.oneof(
  fc.constantFrom(
    '4111111111111111',
    'John Doe',
    '2028',
    '06',
    '123',
    '994934331504',
    'john@example.com',
    'Telegram',
    'true',
    '2025-01-11 12:28:28',
    'AZN',
    'USD',
    'LV',
    'TEST_PS',
    'po-1',
    1100000,
    '',
    ' ',
  ),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.anything(),
);

const customer = fc.oneof(
  fc.record(
    { customer_id: leaf, country: leaf, first_name: leaf, last_name: leaf, extra: leaf },
    { requiredKeys: [] },
  ),
  leaf,
);

const paymentData = fc.oneof(
  fc.dictionary(fc.constantFrom(...fieldNames), leaf),
  fc.dictionary(fc.string(), leaf),
  leaf,
);

const requestShaped = fc.record(
  {
    method: fc.oneof(fc.constantFrom(...methodIds), leaf),
    payment_system: leaf,
    external_id: leaf,
    amount: leaf,
    currency: leaf,
    customer,
    payment_data: paymentData,
    signature: leaf,
  },
  { requiredKeys: [] },
);

/** A documented example with each field, main or payment_data, sometimes swapped for a leaf. */
const nearlyValid = fc.constantFrom(...methodIds).chain((method) => {
  const data = examples[method].payout ?? examples[method].deposit ?? {};
  const maybe = (value: unknown) =>
    fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: leaf });
  const customerFields = Object.fromEntries(
    Object.entries(mainFields.customer).map(([k, v]) => [k, maybe(v)]),
  );
  return fc.record({
    method: fc.constant(method),
    payment_system: maybe(mainFields.payment_system),
    external_id: maybe(mainFields.external_id),
    amount: maybe(mainFields.amount),
    currency: maybe(mainFields.currency),
    customer: fc.record(customerFields),
    payment_data: fc.record(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, maybe(v)]))),
  });
});

// A fixed number of runs each: a busy machine makes them slower, never fewer, so the budget is generous.
describe.each(validators)('%s validation never throws', { timeout: 60_000 }, (_direction, validate) => {
  test('on anything', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }),
        (value) => expectWellFormed(validate(value)),
      ),
      { numRuns: 300 },
    );
  });

  test('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectWellFormed(validate(value))),
      { numRuns: 300 },
    );
  });

  test('on request-shaped objects with arbitrary leaves', () => {
    fc.assert(
      fc.property(requestShaped, (value) => expectWellFormed(validate(value))),
      { numRuns: 1000 },
    );
  });

  test('on request-shaped JSON parsed back, __proto__ keys included', () => {
    fc.assert(
      fc.property(requestShaped, (value) => {
        let json: string | undefined;
        try {
          json = JSON.stringify(value);
        } catch {
          return; // BigInt and the like have no JSON form
        }
        if (json === undefined) return;
        expectWellFormed(validate(JSON.parse(json.replaceAll('"constructor"', '"__proto__"'))));
      }),
      { numRuns: 500 },
    );
  });

  test('on nearly valid requests', () => {
    fc.assert(
      fc.property(nearlyValid, (value) => expectWellFormed(validate(value))),
      { numRuns: 1000 },
    );
  });

  test('an accepted request validates again to itself', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearlyValid, (value) => {
        const first = validate(value);
        if (!first.ok) return;
        accepted += 1;
        expect(validate({ method: first.method, ...first.request })).toEqual(first);
      }),
      { numRuns: 1000 },
    );
    // Guards against the property passing vacuously because nothing was ever accepted.
    expect(accepted).toBeGreaterThan(50);
  });
});

// Found by the property below (seed -1149613059): an object with a `length` whose toString is not
// callable made the schema library throw inside a length check.
test.each([
  [{ customer_id: { length: { toString: '' } }, country: 0, first_name: 0, last_name: 'Test' }],
  [{ customer_id: { length: { valueOf: 1, toString: 2 } }, country: 'LV', first_name: 'A', last_name: 'B' }],
])('hostile values where text is expected are refused, not thrown: %j', (customer) => {
  const request = {
    method: 'sticpay',
    payment_system: 'TEST_PS',
    external_id: 'po-1001',
    amount: 1100000,
    currency: 'USD',
    customer,
    payment_data: { wallet: 'john@example.com' },
  };
  for (const validate of [validatePayoutRequest, validateDepositRequest]) {
    const result = validate(request);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
  }
});
