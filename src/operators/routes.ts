import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { BODY_ERRORS, OPERATOR, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { parseBody } from '../http/parse-body.js';
import { EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN } from '../methods/index.js';
import { payoutViewSchema } from '../producer/view.js';
import type { ActingOperator, OperatorActions } from './actions.js';
import { type AuditLog, STREAM_ID } from './audit.js';
import { type Guards, operatorOf } from './guard.js';

/**
 * Operators' routes: actions on one payout (cancel, resolve) and the audit log. The operator is the
 * credential's; a `who` in the body is ignored, never recorded.
 */

const operatorSecurity = OPERATOR;
const params = z.object({ external_id: z.string().regex(EXTERNAL_ID_PATTERN) });

const refused = (message: string) => ({ error: { code: 'transition_refused', message } });

/** What a payout action answers. */
const actionResponses = (done: string, conflict: string, example: string) =>
  responses({ 200: ok(done, payoutViewSchema) }, [
    ...BODY_ERRORS,
    ...OPERATOR_ERRORS,
    404,
    [409, { description: conflict, example: refused(example) }],
    422,
  ]);

const auditPage = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: z.iso.datetime(),
        who: z.string(),
        via: z.string(),
        action: z.string(),
        target: z.string(),
        before: z.unknown(),
        after: z.unknown(),
        note: z.string().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({
    examples: [
      {
        entries: [
          {
            id: '1764756000000-0',
            at: '2026-12-03T10:00:00.000Z',
            who: 'alice',
            via: 'api',
            action: 'payout.cancel',
            target: 'po-1001',
            before: { status: 'queued' },
            after: { status: 'cancelled', reason: 'cancelled' },
            note: 'player asked',
          },
        ],
        next_cursor: null,
      },
    ],
  });

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
  /** The audited payout actions, shared with the console. */
  actions: OperatorActions;
  guards: Guards;
  audit: AuditLog;
}

export function registerOperatorRoutes(app: FastifyInstance, deps: OperatorRoutesDeps): void {
  const { actions, guards, audit } = deps;

  /** The operator the route authenticated, acting through the API. */
  const by = (request: FastifyRequest): ActingOperator => ({ who: operatorOf(request).name, via: 'api' });

  app.post(
    '/v1/payouts/:external_id/cancel',
    {
      preHandler: guards.operator('operator'),
      schema: {
        summary: 'Operator: cancel a payout not yet sent (awaiting_approval, queued or retry_scheduled)',
        params,
        body: noteBody,
        security: operatorSecurity,
        response: actionResponses(
          'The cancelled payout.',
          'The payout can no longer be cancelled (it may have reached the gateway).',
          'cannot cancel payout po-1001: it is submitted',
        ),
      },
    },
    async (request) => {
      // No body at all (null or undefined by how it was sent) is a cancel without a note.
      const body = parseBody(noteBody, request.body ?? undefined) ?? {};
      return actions.cancel(externalIdParam(request), by(request), body.note || undefined);
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
        response: actionResponses(
          'The payout after the decision.',
          'The payout is not in needs_review (`transition_refused`), or resend is refused while an order_id is recorded (`order_recorded`: the gateway has that order; send `force: true` with a note to resend anyway).',
          'cannot resolve as succeeded payout po-1001: it is queued',
        ),
      },
    },
    async (request) => {
      const body = parseBody(resolveBody, request.body);
      return actions.resolve(externalIdParam(request), by(request), {
        as: body.as,
        note: body.note,
        force: body.force === true,
      });
    },
  );

  for (const [action, summary] of [
    [
      'approve',
      'Approver: approve a payout awaiting_approval; it is queued once the approvals it needs are in, each from a different approver',
    ],
    ['decline', 'Approver: decline a payout awaiting_approval; it ends rejected (declined_by_operator)'],
  ] as const) {
    app.post(
      `/v1/payouts/:external_id/${action}`,
      {
        preHandler: guards.operator('approver'),
        schema: {
          summary,
          params,
          body: noteBody,
          security: operatorSecurity,
          response: actionResponses(
            action === 'approve'
              ? 'The payout: queued once its approvals are in, else still awaiting_approval with the approval recorded.'
              : 'The payout, rejected (declined_by_operator).',
            action === 'approve'
              ? 'The payout is not awaiting approval, or this approver has approved it already.'
              : 'The payout is not awaiting approval.',
            `cannot ${action} payout po-1001: it is queued`,
          ),
        },
      },
      async (request) => {
        const body = parseBody(noteBody, request.body ?? undefined) ?? {};
        return actions[action](externalIdParam(request), by(request), body.note || undefined);
      },
    );
  }

  app.get(
    '/v1/audit',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: 'Admin: operator actions and control changes, newest first',
        querystring: auditQuery,
        security: operatorSecurity,
        response: responses({ 200: ok('A page of the audit log, newest first.', auditPage) }, [
          ...OPERATOR_ERRORS,
          [422, { description: 'A bad limit or cursor.' }],
        ]),
      },
    },
    async (request) => {
      const query = parseBody(auditQuery, request.query);
      return audit.list({ limit: query.limit, cursor: query.cursor });
    },
  );
}
