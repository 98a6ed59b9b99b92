import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bearerAuth } from '../http/auth.js';
import { BEARER, BODY_ERRORS, issueSchema, ok, responses } from '../http/contract.js';
import { exampleRequest, payoutRequestSchema } from '../methods/index.js';
import { PAYOUT_STATES } from '../payout/states.js';
import { BATCH_ID_PATTERN, type Batches } from './batches.js';

const batchBody = z.object({ payouts: z.array(payoutRequestSchema).min(1) }).meta({
  examples: [{ payouts: [exampleRequest('bank_card', 'payout'), exampleRequest('emanat', 'payout')] }],
});

const batchResult = z
  .object({
    batch_id: z
      .string()
      .regex(BATCH_ID_PATTERN)
      .describe('the same external_ids in the same order: the same id'),
    results: z
      .array(
        z.object({
          external_id: z.string().nullable(),
          status: z
            .union([z.literal(202), z.literal(200), z.literal(409), z.literal(422)])
            .describe(
              '202 created · 200 the same request again · 409 its external_id has another body, or belongs to a deposit · 422 invalid',
            ),
          issues: z.array(issueSchema).optional(),
        }),
      )
      .describe('one per item, in the order sent'),
  })
  .meta({
    id: 'BatchResult',
    examples: [
      {
        batch_id: 'b_3q2-7wEvQ5m1zvJ0nA1bCw',
        results: [
          { external_id: 'po-1001', status: 202 },
          { external_id: 'po-1002', status: 200 },
          {
            external_id: 'po-1003',
            status: 422,
            issues: [
              { path: 'payment_data.phone', message: 'must be 994 followed by 9 digits, e.g. 994934331504' },
            ],
          },
        ],
      },
    ],
  });

const batchCounts = z
  .object({
    batch_id: z.string(),
    counts: z.partialRecord(z.enum(PAYOUT_STATES), z.number().int()).describe('its payouts by state'),
  })
  .meta({
    id: 'BatchCounts',
    examples: [{ batch_id: 'b_3q2-7wEvQ5m1zvJ0nA1bCw', counts: { queued: 1, submitted: 1, succeeded: 998 } }],
  });

export function registerBatchRoutes(
  app: FastifyInstance,
  deps: {
    batches: Batches;
    apiKeys: readonly string[];
    bodyLimitBytes: number;
    maxPayouts: number;
    /** Who may read a batch; by default the integration keys alone. */
    reader?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  },
) {
  const auth = bearerAuth(deps.apiKeys);
  app.post(
    '/v1/payout-batches',
    {
      preHandler: auth,
      bodyLimit: deps.bodyLimitBytes,
      schema: {
        summary: `Up to ${deps.maxPayouts} payouts in one request, each created on its own`,
        description:
          'Each item is validated and created as POST /v1/payouts would (same idempotency). The answer lists one result per item, in order. Sending the same batch again creates nothing new; after a 503, send the same batch again.',
        body: batchBody,
        security: BEARER,
        response: responses({ 200: ok('One result per item.', batchResult) }, [
          ...BODY_ERRORS,
          401,
          [422, { description: 'Not `{"payouts":[...]}`, empty, or more payouts than BATCH_MAX_PAYOUTS.' }],
          503,
        ]),
      },
    },
    async (request) => deps.batches.create(request.body),
  );

  app.get(
    '/v1/payout-batches/:batch_id',
    {
      preHandler: deps.reader ?? auth,
      schema: {
        summary: "A batch's payouts counted by state",
        params: z.object({ batch_id: z.string().regex(BATCH_ID_PATTERN) }),
        security: [{ bearer: [] }, { operator: [] }],
        response: responses({ 200: ok('Counts by state.', batchCounts) }, [
          401,
          [
            404,
            {
              description: 'No such batch.',
              example: { error: { code: 'not_found', message: 'no batch b_3q2-7wEvQ5m1zvJ0nA1bCw' } },
            },
          ],
          [422, { description: 'Not a batch id.' }],
          503,
        ]),
      },
    },
    async (request) => deps.batches.counts(String((request.params as { batch_id?: unknown }).batch_id ?? '')),
  );
}
