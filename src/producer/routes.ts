import type { FastifyInstance } from 'fastify';
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
const noteBodyDoc = z.object({ note: z.string().optional(), who: z.string().optional() }).optional();
const resolveBody = z
  .object({
    as: z.enum(['succeeded', 'failed', 'resend'], { error: 'must be succeeded, failed or resend' }),
    note: z
      .string({ error: 'a note saying why is required' })
      .trim()
      .min(1, 'a note saying why is required')
      .max(1000),
    who: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const zodIssues = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
const params = z.object({ external_id: z.string() });

const parseExternalId = (raw: unknown): string => {
  const id = typeof raw === 'string' ? raw : '';
  if (!EXTERNAL_ID_PATTERN.test(id)) {
    throw new ValidationError([{ path: 'external_id', message: EXTERNAL_ID_MESSAGE }]);
  }
  return id;
};

const noteOf = (body: unknown): { note?: string; who?: string } => {
  if (body === undefined || body === null) return {};
  const parsed = z
    .object({ note: z.string().max(1000).optional(), who: z.string().max(200).optional() })
    .strict()
    .safeParse(body);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
  return parsed.data;
};

export function registerPayoutRoutes(
  app: FastifyInstance,
  deps: { producer: Producer; apiKeys: readonly string[] },
) {
  const { producer } = deps;
  const auth = bearerAuth(deps.apiKeys);
  const security = [{ bearer: [] }];

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
    { preHandler: auth, schema: { summary: 'A payout with its history', params, security } },
    async (request) =>
      producer.getPayout(parseExternalId((request.params as { external_id?: unknown }).external_id)),
  );

  app.post(
    '/v1/payouts/:external_id/resolve',
    {
      preHandler: auth,
      schema: {
        summary: 'Operator: resolve a needs_review payout as succeeded or failed, or resend it',
        params,
        body: resolveBody,
        security,
      },
    },
    async (request) => {
      const id = parseExternalId((request.params as { external_id?: unknown }).external_id);
      const parsed = resolveBody.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
      return producer.resolvePayout(id, {
        as: parsed.data.as,
        note: parsed.data.note,
        who: parsed.data.who ?? 'api',
      });
    },
  );

  app.post(
    '/v1/payouts/:external_id/cancel',
    {
      preHandler: auth,
      schema: {
        summary: 'Cancel a payout that is queued or retry_scheduled',
        params,
        body: noteBodyDoc,
        security,
      },
    },
    async (request) => {
      const id = parseExternalId((request.params as { external_id?: unknown }).external_id);
      const { note, who } = noteOf(request.body);
      return producer.cancelPayout(id, { actor: 'operator', who: who ?? 'api', ...(note ? { note } : {}) });
    },
  );
}
