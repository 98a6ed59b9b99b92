import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bearerAuth } from '../http/auth.js';
import { BEARER, BODY_ERRORS, ok, responses } from '../http/contract.js';
import { sendError } from '../http/errors.js';
import { depositRequestSchema } from '../methods/index.js';
import { DEPOSIT_STATES, DepositOutcomeError, type Deposits, type DepositView } from './deposits.js';

const EXAMPLE_TIME = '2026-12-03T10:00:00.000Z';

/** A deposit as POST /v1/deposits answers it; documentation for /docs. */
const depositViewSchema = z
  .object({
    external_id: z.string(),
    method: z.string(),
    status: z.enum(DEPOSIT_STATES),
    gateway_status: z.number().int().nullable(),
    order_id: z.string().nullable(),
    redirect: z.string().nullable().describe('where to send the player to complete the deposit'),
    amount: z.number().int().describe('minor units'),
    currency: z.string(),
    payment_data: z.record(z.string(), z.string()).describe('masked'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({
    id: 'Deposit',
    examples: [
      {
        external_id: 'dep-1001',
        method: 'bank_card',
        status: 'submitted',
        gateway_status: 1,
        order_id: '8f1c2e',
        redirect: 'https://pay.example.com/3ds/8f1c2e',
        amount: 1100,
        currency: 'USD',
        payment_data: {
          card_number: '411111******1111',
          card_holder: 'John Doe',
          exp_year: '2035',
          exp_month: '06',
        },
        created_at: EXAMPLE_TIME,
        updated_at: EXAMPLE_TIME,
      } satisfies DepositView,
    ],
  });

const outcome = (code: string, message: string) => ({ error: { code, message } });

export function registerDepositRoutes(
  app: FastifyInstance,
  deps: { deposits: Deposits; apiKeys: readonly string[] },
) {
  app.post(
    '/v1/deposits',
    {
      preHandler: bearerAuth(deps.apiKeys),
      schema: {
        summary: 'A synchronous deposit: returns the redirect for the player',
        security: BEARER,
        body: depositRequestSchema,
        response: responses(
          {
            201: ok('Sent to the gateway: the redirect and order.', depositViewSchema),
            200: ok('The same request again: the deposit as it is.', depositViewSchema),
          },
          [
            ...BODY_ERRORS,
            401,
            [
              409,
              {
                description:
                  'The external_id was used with another body, or this deposit is being sent right now.',
                example: outcome('deposit_in_progress', 'this deposit is being sent right now'),
              },
            ],
            [
              422,
              {
                description:
                  'Invalid (`issues` name the fields), or refused by the gateway (`gateway_rejected`).',
              },
            ],
            [
              502,
              {
                description:
                  'Sent, but its outcome is unknown: never retried silently; its callbacks settle it.',
                example: outcome(
                  'gateway_outcome_unknown',
                  'the gateway may or may not have created this deposit; it is not retried. Check its status later.',
                ),
              },
            ],
            [
              503,
              {
                description:
                  'Nothing was sent: the gateway could not be reached (Retry-After says when), or Redis could not record the deposit durably (store_unavailable, REDIS_DURABILITY).',
                example: outcome(
                  'gateway_unavailable',
                  'the gateway could not be reached; nothing was sent. Try again.',
                ),
              },
            ],
          ],
        ),
      },
    },
    async (request, reply) => {
      try {
        const { created, deposit } = await deps.deposits.create(request.body);
        return reply.code(created ? 201 : 200).send(deposit);
      } catch (err) {
        if (err instanceof DepositOutcomeError) {
          if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
          return sendError(reply, err.httpStatus, err.code, err.message);
        }
        throw err;
      }
    },
  );
}
