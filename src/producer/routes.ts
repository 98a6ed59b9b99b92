import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { bearerAuth } from '../http/auth.js';
import { EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN, type MethodId, methodIds } from '../methods/index.js';
import type { Producer } from './producer.js';

/** Documentation shapes for /docs; requests are validated by the methods' validator, field by field. */
const customerDoc = z.object({
  customer_id: z.string(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
  first_name: z.string(),
  last_name: z.string(),
});
const payoutBodyDoc = z.object({
  method: z.enum(methodIds as [MethodId, ...MethodId[]]),
  payment_system: z.string(),
  external_id: z.string().describe('idempotency key; letters, digits and . _ ~ : -'),
  amount: z.number().int().positive().describe('minor units'),
  currency: z.string().describe('ISO 4217'),
  customer: customerDoc,
  payment_data: z.record(z.string(), z.string()).optional(),
});
const params = z.object({ external_id: z.string() });

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

/**
 * The integration's routes: create and read payouts. Operators' actions on a payout (cancel,
 * resolve, approve, decline) are operator routes, registered by src/operators.
 */
export function registerPayoutRoutes(app: FastifyInstance, deps: PayoutRoutesDeps) {
  const { producer } = deps;
  const auth = bearerAuth(deps.apiKeys);
  const reader = deps.reader ?? auth;
  const security = [{ bearer: [] }];
  const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, { operator: [] }];

  app.post(
    '/v1/payouts',
    {
      preHandler: auth,
      schema: {
        summary: 'Enqueue a payout (idempotent by external_id)',
        description: '202 new; 200 the same request again; 409 the same external_id with another body.',
        body: payoutBodyDoc,
        security,
      },
    },
    async (request, reply) => {
      const { created, payout } = await producer.enqueuePayout(request.body);
      return reply.code(created ? 202 : 200).send(payout);
    },
  );

  app.get(
    '/v1/payouts/:external_id',
    {
      preHandler: reader,
      schema: { summary: 'A payout with its history', params, security: readSecurity },
    },
    async (request) =>
      producer.getPayout(parseExternalId((request.params as { external_id?: unknown }).external_id)),
  );
}
