import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors.js';
import { OPERATOR, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { parseBody, parseQuery } from '../http/parse-body.js';
import { EXTERNAL_ID_MESSAGE, EXTERNAL_ID_PATTERN } from '../methods/index.js';
import type { ActingOperator, OperatorActions } from './actions.js';
import type { AuditLog } from './audit.js';
import { type Guards, operatorOf } from './guard.js';
import { actionResponses, auditPage, auditQuery, noteBody, params, resolveBody } from './operator-schemas.js';

/**
 * Operators' routes: actions on one payout (cancel, resolve) and the audit log. The operator is the
 * credential's; a `who` in the body is ignored, never recorded. What they read and answer is in
 * operator-schemas.ts.
 */

const operatorSecurity = OPERATOR;

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

/** The operator the route authenticated, acting through the API. */
const by = (request: FastifyRequest): ActingOperator => ({ who: operatorOf(request).name, via: 'api' });

export function registerOperatorRoutes(app: FastifyInstance, deps: OperatorRoutesDeps): void {
  registerCancel(app, deps);
  registerResolve(app, deps);
  registerApprovals(app, deps);
  registerAudit(app, deps);
}

function registerCancel(app: FastifyInstance, { actions, guards }: OperatorRoutesDeps): void {
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
}

function registerResolve(app: FastifyInstance, { actions, guards }: OperatorRoutesDeps): void {
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
}

/** approve and decline: an approver's, with an optional note. */
function registerApprovals(app: FastifyInstance, { actions, guards }: OperatorRoutesDeps): void {
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
}

function registerAudit(app: FastifyInstance, { audit, guards }: OperatorRoutesDeps): void {
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
      const query = parseQuery(auditQuery, request.query);
      return audit.list({ limit: query.limit, cursor: query.cursor });
    },
  );
}
