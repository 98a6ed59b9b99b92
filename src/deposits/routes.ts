import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerAuth } from '../http/auth.js';
import { BEARER, BODY_ERRORS, ok, responses } from '../http/contract.js';
import { sendError } from '../http/errors.js';
import { depositRequestSchema } from '../methods/index.js';
import { DepositOutcomeError, type Deposits } from './deposits.js';
import { depositViewSchema } from './view-schema.js';

const outcome = (code: string, message: string) => ({ error: { code, message } });

export function registerDepositRoutes(
  app: FastifyInstance,
  deps: { deposits: Deposits; apiKeys: readonly string[] },
) {
  app.post(
    '/v1/deposits',
    { preHandler: bearerAuth(deps.apiKeys), schema: createDepositSchema() },
    async (request, reply) => answerCreate(deps.deposits, request, reply),
  );
}

/** The deposit made (201) or as it is (200), or the error that says how it stands, with Retry-After. */
async function answerCreate(deposits: Deposits, request: FastifyRequest, reply: FastifyReply) {
  try {
    const { created, deposit } = await deposits.create(request.body);
    return reply.code(created ? 201 : 200).send(deposit);
  } catch (err) {
    if (err instanceof DepositOutcomeError) {
      if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
      return sendError(reply, err.httpStatus, err.code, err.message);
    }
    throw err;
  }
}

/** POST /v1/deposits for /docs: its body, and every answer with what it means. */
function createDepositSchema() {
  return {
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
              "The external_id was used with another body, or belongs to a payout (deposits and payouts share the gateway's external_id), or this deposit is being sent right now.",
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
            description: 'Sent, but its outcome is unknown: never retried silently; its callbacks settle it.',
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
  };
}
