import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { bearerAuth } from '../http/auth.js';
import { BEARER, BODY_ERRORS, ok, responses } from '../http/contract.js';
import { parseQuery } from '../http/parse-body.js';
import { EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN, payoutRequestSchema } from '../methods/index.js';
import { LIST_DESCRIPTION, listQuery, payoutPageSchema } from './payout-list.js';
import type { Producer } from './producer.js';
import { payoutViewSchema } from './view.js';

const params = z.object({
  external_id: z.string().regex(EXTERNAL_ID_PATTERN).describe("the payout's idempotency key"),
});

const parseExternalId = (raw: unknown): string => {
  const id = typeof raw === 'string' ? raw : '';
  if (!EXTERNAL_ID_PATTERN.test(id)) {
    throw new ValidationError([{ path: 'external_id', message: EXTERNAL_ID_MESSAGE }]);
  }
  return id;
};

export interface PayoutRoutesDeps {
  producer: Producer;
  apiKeys: readonly string[];
  /** Who may read payouts; by default the integration keys alone. */
  reader?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** What each payout route is made from: the producer and who may write and read. */
interface PayoutRoutesContext {
  producer: Producer;
  auth: ReturnType<typeof bearerAuth>;
  reader: NonNullable<PayoutRoutesDeps['reader']> | ReturnType<typeof bearerAuth>;
}

const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, { operator: [] }];

/**
 * The integration's routes: create and read payouts. Operators' actions on a payout (cancel,
 * resolve, approve, decline) are operator routes, registered by src/operators.
 */
export function registerPayoutRoutes(app: FastifyInstance, deps: PayoutRoutesDeps) {
  const auth = bearerAuth(deps.apiKeys);
  const ctx: PayoutRoutesContext = { producer: deps.producer, auth, reader: deps.reader ?? auth };
  createRoute(app, ctx);
  listRoute(app, ctx);
  getRoute(app, ctx);
}

function createRoute(app: FastifyInstance, { producer, auth }: PayoutRoutesContext) {
  app.post(
    '/v1/payouts',
    {
      preHandler: auth,
      schema: {
        summary: 'Enqueue a payout (idempotent by external_id)',
        description:
          'Validated whole before anything is stored. Sending the same request again is always safe: it answers 200 with the payout. Never re-issue a withdrawal under a new external_id after a 503 or a timeout.',
        body: payoutRequestSchema,
        security: BEARER,
        response: responses(
          {
            202: ok('Accepted: recorded, and it will be sent.', payoutViewSchema),
            200: ok(
              'The same request again: the payout as it is now. Nothing new was created.',
              payoutViewSchema,
            ),
          },
          [...BODY_ERRORS, 401, 409, 422, 503],
        ),
      },
    },
    async (request, reply) => {
      const { created, payout } = await producer.enqueuePayout(request.body);
      return reply.code(created ? 202 : 200).send(payout);
    },
  );
}

function listRoute(app: FastifyInstance, { producer, reader }: PayoutRoutesContext) {
  app.get(
    '/v1/payouts',
    {
      preHandler: reader,
      schema: {
        summary: 'A page of payouts, newest change first (an integration key, or any operator)',
        description: LIST_DESCRIPTION,
        querystring: listQuery,
        security: readSecurity,
        response: responses({ 200: ok('The page, payment_data masked.', payoutPageSchema) }, [
          401,
          [422, { description: 'A parameter is not a valid one (the issue names it).' }],
          503,
        ]),
      },
    },
    async (request) => producer.listPayouts(parseQuery(listQuery, request.query)),
  );
}

function getRoute(app: FastifyInstance, { producer, reader }: PayoutRoutesContext) {
  app.get(
    '/v1/payouts/:external_id',
    {
      preHandler: reader,
      schema: {
        summary: 'A payout with its history (an integration key, or any operator)',
        params,
        security: readSecurity,
        response: responses({ 200: ok('The payout, payment_data masked.', payoutViewSchema) }, [
          401,
          404,
          [422, { description: 'The external_id is not a valid one.' }],
          503,
        ]),
      },
    },
    async (request) =>
      producer.getPayout(parseExternalId((request.params as { external_id?: unknown }).external_id)),
  );
}
