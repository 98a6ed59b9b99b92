import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Currencies } from '../currency/index.js';
import { BODY_ERRORS, OPERATOR, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { parseBody } from '../http/parse-body.js';
import { type Guards, operatorOf } from '../operators/guard.js';
import type { ControlsStore } from './controls-store.js';
import { approvalRulesBodyFor, describeLimit, describeRule, limitsBodyFor } from './schemas.js';

/**
 * The controls' routes. `GET /v1/controls` shows every control in one answer; further controls
 * (pauses, breakers) add their part through `sections`.
 */
export interface ControlsRoutesDeps {
  controls: ControlsStore;
  guards: Guards;
  /** The deployment's currency rules (`config.currencies`): a rule or limit only in a currency payouts can use. */
  currencies: Currencies;
  /** More parts of the GET answer, each keyed by its name; `paused` and `breakers` default to []. */
  sections?: Record<string, () => Promise<unknown>>;
}

const operatorSecurity = OPERATOR;

const rule = { currency: 'EUR', min_amount: 100000, approvals: 1, min_amount_display: '1,000.00 EUR' };
const limitShown = { currency: 'EUR', max_amount: 5000000, max_amount_display: '50,000.00 EUR' };
const list = z.array(z.looseObject({ currency: z.string() }));
const controlsView = z
  .looseObject({
    approval_rules: list,
    limits: list,
    paused: z.array(z.unknown()),
    breakers: z.array(z.unknown()),
  })
  .meta({ examples: [{ approval_rules: [rule], limits: [limitShown], paused: [], breakers: [] }] });
const rulesView = z.object({ rules: list }).meta({ examples: [{ rules: [rule] }] });
const limitsView = z.object({ limits: list }).meta({ examples: [{ limits: [limitShown] }] });
const changeErrors = [...BODY_ERRORS, ...OPERATOR_ERRORS, 422] as const;

export function registerControlsRoutes(app: FastifyInstance, deps: ControlsRoutesDeps): void {
  registerControlsView(app, deps);
  registerApprovalRules(app, deps);
  registerLimits(app, deps);
}

/** GET /v1/controls: every control in force, with the further sections. */
function registerControlsView(app: FastifyInstance, deps: ControlsRoutesDeps): void {
  const { controls, guards, currencies } = deps;
  app.get(
    '/v1/controls',
    {
      preHandler: guards.operator('viewer'),
      schema: {
        summary: 'Viewer: the approval rules, limits, pauses and breakers in force',
        security: operatorSecurity,
        response: responses({ 200: ok('Every control in force.', controlsView) }, OPERATOR_ERRORS),
      },
    },
    async () => {
      const [rules, limits] = await Promise.all([controls.approvalRules(), controls.limits()]);
      const extra: Record<string, unknown> = { paused: [], breakers: [] };
      for (const [name, read] of Object.entries(deps.sections ?? {})) extra[name] = await read();
      return {
        approval_rules: rules.map((r) => describeRule(r, currencies)),
        limits: limits.map((l) => describeLimit(l, currencies)),
        ...extra,
      };
    },
  );
}

/** PUT /v1/controls/approval-rules. */
function registerApprovalRules(
  app: FastifyInstance,
  { controls, guards, currencies }: ControlsRoutesDeps,
): void {
  const approvalRulesBody = approvalRulesBodyFor(currencies);
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
        response: responses({ 200: ok('The rules now in force.', rulesView) }, changeErrors),
      },
    },
    async (request) => {
      const body = parseBody(approvalRulesBody, request.body);
      const by = { who: operatorOf(request).name, via: 'api' as const, note: body.note };
      const { after } = await controls.replaceApprovalRules(body.rules, by);
      return { rules: after.map((r) => describeRule(r, currencies)) };
    },
  );
}

/** PUT /v1/controls/limits. */
function registerLimits(app: FastifyInstance, { controls, guards, currencies }: ControlsRoutesDeps): void {
  const limitsBody = limitsBodyFor(currencies);
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
        response: responses({ 200: ok('The limits now in force.', limitsView) }, changeErrors),
      },
    },
    async (request) => {
      const body = parseBody(limitsBody, request.body);
      const by = { who: operatorOf(request).name, via: 'api' as const, note: body.note };
      const { after } = await controls.replaceLimits(body.limits, by);
      return { limits: after.map((l) => describeLimit(l, currencies)) };
    },
  );
}
