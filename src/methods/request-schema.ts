import { z } from 'zod';
import { MAIN_ONLY, mainRequest, notBefore } from './common.js';
import { getMethod, methodIds } from './registry.js';
import type { Direction, MethodId } from './types.js';

/**
 * A request as one schema, a union discriminated by `method`, built from the very schemas the
 * validator applies field by field (the main request and each method's payment_data): the API
 * reference (/docs, docs/openapi.json) is generated from it, so it cannot drift from what is checked.
 */

const EXAMPLE_MAIN = {
  payment_system: 'TEST_PS',
  external_id: 'po-1001',
  amount: 1100,
  currency: 'USD',
  customer: { customer_id: 'c-1', country: 'LV', first_name: 'John', last_name: 'Doe' },
};

/** A whole valid request for one method and direction: the reference's example, checked by a test. */
export function exampleRequest(id: MethodId, direction: Direction): Record<string, unknown> {
  const paymentData = getMethod(id).examples[direction];
  return { method: id, ...EXAMPLE_MAIN, ...(paymentData ? { payment_data: paymentData } : {}) };
}

const componentName = (id: MethodId, direction: Direction) =>
  `${direction === 'payout' ? 'Payout' : 'Deposit'}Request_${id}`;

function variant(id: MethodId, direction: Direction) {
  const method = getMethod(id);
  const spec = method[direction];
  const paymentData =
    spec === undefined || spec === MAIN_ONLY
      ? z.strictObject({}).optional().describe(`${id} takes no payment_data`)
      : spec;
  const fields = {
    method: z.literal(id),
    payment_data: paymentData,
    ...(direction === 'payout' ? { not_before: notBefore.optional() } : {}),
  };
  return mainRequest.extend(fields).meta({
    id: componentName(id, direction),
    title: method.title,
    examples: [exampleRequest(id, direction)],
  });
}

function requestSchema(direction: Direction, ids: readonly MethodId[]) {
  const [first, ...rest] = ids.map((id) => variant(id, direction));
  if (!first) throw new Error(`no method offers ${direction}s`);
  return z.discriminatedUnion('method', [first, ...rest]).meta({
    id: direction === 'payout' ? 'PayoutRequest' : 'DepositRequest',
    description: `One schema per payment method, chosen by \`method\`: ${ids.join(', ')}.`,
    discriminator: {
      propertyName: 'method',
      mapping: Object.fromEntries(
        ids.map((id) => [id, `#/components/schemas/${componentName(id, direction)}`]),
      ),
    },
  });
}

/** POST /v1/payouts's body. */
export const payoutRequestSchema = requestSchema('payout', methodIds);

/** POST /v1/deposits's body: the methods that offer deposits. */
export const depositRequestSchema = requestSchema(
  'deposit',
  methodIds.filter((id) => getMethod(id).deposit !== undefined),
);
