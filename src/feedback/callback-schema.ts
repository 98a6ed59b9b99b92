import { z } from 'zod';
import { orderIdSchema, safeText } from '../gateway/schemas.js';
import { BODY_ERRORS, ok, responses } from '../http/contract.js';

/** The gateway's callback on the wire: what is read of it, and what /docs says it gets back. */

const numeric = (allowed: readonly number[]) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().refine((n) => allowed.includes(n), `must be one of ${allowed.join(', ')}`));

/**
 * A blank value says nothing: the signature leaves it out (SPEC.md "Signature"), so it is read as
 * absent. An empty order_id must never reach the record, where it would erase the one recorded.
 */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** A string or a number, read as text. */
const text = z.union([z.string(), z.number()]).transform(String);

export const callbackSchema = z.object({
  status: numeric([1, 2, 3, 4, 5, 6, 7]),
  type: numeric([1, 2, 3]),
  external_id: z.string().min(1).max(255),
  // Read as in the gateway's answers: compared with the recorded one, and kept.
  order_id: optional(orderIdSchema),
  // Only compared with the payout's own, never kept.
  amount: optional(text),
  currency: optional(text),
  customer_id: optional(text),
  // Made safe as the gateway's answers are (card-shaped digits masked, cut): they reach the record,
  // the API, notifications and Bull Board.
  reason_code: optional(text.transform(safeText)),
  reason: optional(z.string().max(2000).transform(safeText)),
});

export type Callback = z.infer<typeof callbackSchema>;

const CALLBACK_EXAMPLE = {
  status: 4,
  type: 2,
  external_id: 'po-1001',
  order_id: '8f1c2e',
  amount: '1100',
  currency: 'USD',
  signature: '3f7a0c9e5b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a',
};

/** /docs: what the gateway sends (SPEC.md "Callbacks") and what it gets back. */
export const CALLBACK_DOC = {
  summary: "The gateway's callback (signed with the callback salt)",
  description:
    'Acknowledged with {"result":"ok"} once what it says is recorded (for a payout archived to the ledger, checked against it there; for an external_id we do not know, kept for operators); any other answer makes the gateway repeat it.',
  tags: ['gateway'],
  security: [],
  body: callbackSchema
    .extend({
      signature: z
        .string()
        .regex(/^[0-9a-fA-F]{40}$/)
        .describe('SHA-1 over the sorted fields and the salt'),
    })
    .loose()
    .meta({ examples: [CALLBACK_EXAMPLE] }),
  response: responses({ 200: ok('Recorded.', z.object({ result: z.literal('ok') }), { result: 'ok' }) }, [
    ...BODY_ERRORS,
    [400, { description: 'Not JSON, not an object, or a signed callback the schema refuses (`issues`).' }],
    [
      401,
      {
        description: 'The signature is missing or wrong.',
        example: {
          error: { code: 'invalid_signature', message: 'the callback signature is missing or wrong' },
        },
      },
    ],
    [
      503,
      {
        description:
          'Could not be recorded, or not confirmed durable in time (REDIS_DURABILITY); the gateway repeats it.',
      },
    ],
  ]),
};
