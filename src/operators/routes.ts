import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseBody } from '../http/parse-body.js';
import { EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN } from '../methods/index.js';
import type { Producer } from '../producer/producer.js';
import type { PayoutView } from '../producer/view.js';
import { type AuditLog, STREAM_ID } from './audit.js';
import { type Guards, operatorOf } from './guard.js';

/**
 * Operators' routes: actions on one payout (cancel, resolve) and the audit log. The operator is the
 * credential's; a `who` in the body is ignored, never recorded.
 */

const operatorSecurity = [{ operator: [] }];
const params = z.object({ external_id: z.string() });

const note = z.string({ error: 'must be text' }).trim().max(1000, 'at most 1000 characters');
/** `who` was once how a caller named itself; it is accepted and ignored so older clients keep working. */
const ignoredWho = z.unknown().optional();
const noteBody = z.strictObject({ note: note.optional(), who: ignoredWho }).optional();
const resolveBody = z.strictObject({
  as: z.enum(['succeeded', 'failed', 'resend'], { error: 'must be succeeded, failed or resend' }),
  note: z
    .string({ error: 'a note saying why is required' })
    .trim()
    .min(1, 'a note saying why is required')
    .max(1000, 'at most 1000 characters'),
  force: z.boolean({ error: 'must be true or false' }).optional(),
  who: ignoredWho,
});
const auditQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 500' })
    .int('must be a whole number from 1 to 500')
    .min(1, 'must be a whole number from 1 to 500')
    .max(500, 'must be a whole number from 1 to 500')
    .default(100),
  cursor: z.string().regex(STREAM_ID, 'must be a next_cursor from an earlier page').optional(),
});

export const externalIdParam = (request: FastifyRequest): string => {
  const raw = (request.params as { external_id?: unknown }).external_id;
  const id = typeof raw === 'string' ? raw : '';
  if (!EXTERNAL_ID_PATTERN.test(id)) {
    throw new ValidationError([{ path: 'external_id', message: EXTERNAL_ID_MESSAGE }]);
  }
  return id;
};

export interface OperatorRoutesDeps {
  producer: Producer;
  guards: Guards;
  audit: AuditLog;
}

export function registerOperatorRoutes(app: FastifyInstance, deps: OperatorRoutesDeps): void {
  const { producer, guards, audit } = deps;

  /** Runs a payout action and audits it with the payout's state before and after. */
  const audited = async (
    request: FastifyRequest,
    action: string,
    noteText: string | undefined,
    act: (who: string) => Promise<PayoutView>,
  ): Promise<PayoutView> => {
    const id = externalIdParam(request);
    const who = operatorOf(request).name;
    const before = (await producer.getPayout(id)).status;
    const view = await act(who);
    await audit.record({
      who,
      via: 'api',
      action,
      target: id,
      before: { status: before },
      after: { status: view.status, reason: view.reason },
      ...(noteText ? { note: noteText } : {}),
    });
    return view;
  };

  app.post(
    '/v1/payouts/:external_id/cancel',
    {
      preHandler: guards.operator('operator'),
      schema: {
        summary: 'Operator: cancel a payout not yet sent (awaiting_approval, queued or retry_scheduled)',
        params,
        body: noteBody,
        security: operatorSecurity,
      },
    },
    async (request) => {
      // No body at all (null or undefined by how it was sent) is a cancel without a note.
      const body = parseBody(noteBody, request.body ?? undefined) ?? {};
      return audited(request, 'payout.cancel', body.note, (who) =>
        producer.cancelPayout(externalIdParam(request), {
          actor: 'operator',
          who,
          ...(body.note ? { note: body.note } : {}),
        }),
      );
    },
  );

  app.post(
    '/v1/payouts/:external_id/resolve',
    {
      preHandler: guards.operator('operator'),
      schema: {
        summary: 'Operator: resolve a needs_review payout as succeeded or failed, or resend it',
        description: 'resend is refused while the gateway gave an order_id, unless force is true.',
        params,
        body: resolveBody,
        security: operatorSecurity,
      },
    },
    async (request) => {
      const body = parseBody(resolveBody, request.body);
      return audited(request, `payout.resolve_${body.as}`, body.note, (who) =>
        producer.resolvePayout(externalIdParam(request), {
          as: body.as,
          note: body.note,
          who,
          force: body.force === true,
        }),
      );
    },
  );

  app.get(
    '/v1/audit',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: 'Admin: operator actions and control changes, newest first',
        querystring: auditQuery,
        security: operatorSecurity,
      },
    },
    async (request) => {
      const query = parseBody(auditQuery, request.query);
      return audit.list({ limit: query.limit, cursor: query.cursor });
    },
  );
}
