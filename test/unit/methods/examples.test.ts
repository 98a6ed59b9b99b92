import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  depositRequestSchema,
  exampleRequest,
  getMethod,
  MAIN_ONLY,
  methodIds,
  payoutRequestSchema,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import '../../../src/producer/view.js';
import '../../../src/http/contract.js';

/** The API reference shows these examples: each must be a request the API accepts. */

const directions = [
  { direction: 'payout', validate: validatePayoutRequest, schema: payoutRequestSchema },
  { direction: 'deposit', validate: validateDepositRequest, schema: depositRequestSchema },
] as const;

const rows = directions.flatMap((d) =>
  methodIds.filter((id) => getMethod(id)[d.direction] !== undefined).map((id) => ({ ...d, id })),
);

describe("each method's example request", () => {
  test.each(rows)(
    '$direction $id passes the validator and the documented schema',
    ({ id, direction, validate, schema }) => {
      const spec = getMethod(id)[direction];
      // A direction that takes payment_data must show one.
      expect(getMethod(id).examples[direction] !== undefined).toBe(spec !== MAIN_ONLY);
      const request = exampleRequest(id, direction);
      expect(validate(request)).toMatchObject({ ok: true, method: id });
      expect(schema.safeParse(request).success).toBe(true);
    },
  );
});

test('every documented schema with an id accepts its own examples', () => {
  const withExamples = [...z.globalRegistry._idmap.entries()].flatMap(([id, schema]) => {
    const examples = (z.globalRegistry.get(schema) as { examples?: unknown[] } | undefined)?.examples ?? [];
    return examples.map((example) => ({ id, schema, example }));
  });
  expect(withExamples.map((e) => e.id)).toEqual(
    expect.arrayContaining(['Payout', 'PayoutRequest_bank_card']),
  );
  for (const { id, schema, example } of withExamples) {
    expect(z.safeParse(schema, example).success, id).toBe(true);
  }
});

test('the union chooses the schema by method, and refuses one without it', () => {
  const request = exampleRequest('bank_card', 'payout');
  expect(payoutRequestSchema.safeParse({ ...request, method: 'emanat' }).success).toBe(false);
  const { method: _none, ...withoutMethod } = request;
  expect(payoutRequestSchema.safeParse(withoutMethod).success).toBe(false);
});
