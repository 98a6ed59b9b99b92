import type { FastifyInstance } from 'fastify';
import { parseBody } from '../http/parse-body.js';
import { type Guards, operatorOf } from '../operators/guard.js';
import type { ControlsStore } from './controls-store.js';
import { approvalRulesBody, describeLimit, describeRule, limitsBody } from './schemas.js';

/**
 * The controls' routes. `GET /v1/controls` shows every control in one answer; further controls
 * (pauses, breakers) add their part through `sections`.
 */
export interface ControlsRoutesDeps {
  controls: ControlsStore;
  guards: Guards;
  /** More parts of the GET answer, each keyed by its name; `paused` and `breakers` default to []. */
  sections?: Record<string, () => Promise<unknown>>;
}

const operatorSecurity = [{ operator: [] }];

export function registerControlsRoutes(app: FastifyInstance, deps: ControlsRoutesDeps): void {
  const { controls, guards } = deps;

  app.get(
    '/v1/controls',
    {
      preHandler: guards.operator('viewer'),
      schema: {
        summary: 'Viewer: the approval rules, limits, pauses and breakers in force',
        security: operatorSecurity,
      },
    },
    async () => {
      const [rules, limits] = await Promise.all([controls.approvalRules(), controls.limits()]);
      const extra: Record<string, unknown> = { paused: [], breakers: [] };
      for (const [name, read] of Object.entries(deps.sections ?? {})) extra[name] = await read();
      return { approval_rules: rules.map(describeRule), limits: limits.map(describeLimit), ...extra };
    },
  );

  app.put(
    '/v1/controls/approval-rules',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: 'Admin: replace every approval rule',
        description:
          "A new payout at or above a rule's min_amount (its currency, and its method when given) waits " +
          'in awaiting_approval for the approvals the highest matching rule asks (1, or 2 by two approvers).',
        body: approvalRulesBody,
        security: operatorSecurity,
      },
    },
    async (request) => {
      const body = parseBody(approvalRulesBody, request.body);
      const by = { who: operatorOf(request).name, via: 'api' as const, note: body.note };
      const { after } = await controls.replaceApprovalRules(body.rules, by);
      return { rules: after.map(describeRule) };
    },
  );

  app.put(
    '/v1/controls/limits',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: 'Admin: replace every limit',
        description:
          'max_amount: a larger payout is refused at enqueue (422). per_customer_24h: a payout that would ' +
          'take one customer past count or amount in 24 hours waits in awaiting_approval.',
        body: limitsBody,
        security: operatorSecurity,
      },
    },
    async (request) => {
      const body = parseBody(limitsBody, request.body);
      const by = { who: operatorOf(request).name, via: 'api' as const, note: body.note };
      const { after } = await controls.replaceLimits(body.limits, by);
      return { limits: after.map(describeLimit) };
    },
  );
}
