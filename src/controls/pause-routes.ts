import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BODY_ERRORS, OPERATOR, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { parseBody } from '../http/parse-body.js';
import { NO_CONTROL_CHARACTERS, noControlCharacters } from '../methods/index.js';
import { type Guards, operatorOf } from '../operators/guard.js';
import type { Pauses } from './pauses.js';

/**
 * The kill switch over HTTP: `POST /v1/controls/pause` and `/resume` (admin). Each change is audited
 * with every pause before and after, under the credential's name (pauses.ts).
 */

const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(noControlCharacters, NO_CONTROL_CHARACTERS);

export const pauseBody = z
  .object({
    payment_system: text(255).describe("the payment_system to pause or resume; '*' is every one"),
    note: text(1000).optional().describe('why, for the audit log and the other operators'),
  })
  .strict()
  .meta({ examples: [{ payment_system: 'TEST_PS', note: 'gateway incident #123' }] });

const pauseSchema = z.object({
  payment_system: z.string(),
  since: z.iso.datetime(),
  by: z.string(),
  note: z.string().optional(),
});
const pausedExample = {
  payment_system: 'TEST_PS',
  since: '2026-12-03T10:00:00.000Z',
  by: 'alice',
  note: 'gateway incident #123',
};
const pausedView = z
  .object({ paused: z.array(pauseSchema).describe('every pause now in force') })
  .meta({ examples: [{ paused: [pausedExample] }] });
const resumedView = z
  .object({
    resumed: z.array(pauseSchema).describe('the pauses this ended (none when it was not paused)'),
    paused: z.array(pauseSchema).describe("the pauses still in force: a system '*' covers stays paused"),
    woken: z.number().int().describe('held payouts woken to be sent'),
  })
  .meta({ examples: [{ resumed: [pausedExample], paused: [], woken: 12 }] });
const errors = [...BODY_ERRORS, ...OPERATOR_ERRORS, 422] as const;

export function registerPauseRoutes(app: FastifyInstance, deps: { pauses: Pauses; guards: Guards }): void {
  const { pauses, guards } = deps;

  app.post(
    '/v1/controls/pause',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: "Admin: pause sending to a payment_system, or to every one ('*')",
        description:
          'Its payouts are still accepted and stay queued (or retry_scheduled): nothing is sent, nothing ' +
          'fails, no attempt is used, until it is resumed. The pause survives restarts.',
        body: pauseBody,
        security: OPERATOR,
        response: responses({ 200: ok('Paused; every pause now in force.', pausedView) }, errors),
      },
    },
    async (request) => {
      const body = parseBody(pauseBody, request.body);
      await pauses.pause(body.payment_system, { who: operatorOf(request).name, via: 'api', note: body.note });
      return { paused: await pauses.list() };
    },
  );

  app.post(
    '/v1/controls/resume',
    {
      preHandler: guards.operator('admin'),
      schema: {
        summary: "Admin: resume a payment_system ('*' ends every pause)",
        description: 'Its held payouts are woken and each is sent once.',
        body: pauseBody,
        security: OPERATOR,
        response: responses({ 200: ok('Resumed; what is still paused.', resumedView) }, errors),
      },
    },
    async (request) => {
      const body = parseBody(pauseBody, request.body);
      const { removed, remaining, woken } = await pauses.resume(body.payment_system, {
        who: operatorOf(request).name,
        via: 'api',
        note: body.note,
      });
      return { resumed: removed, paused: remaining, woken };
    },
  );
}
