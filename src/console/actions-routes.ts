import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Role } from '../operators/roles.js';
import type { PayoutView } from '../producer/view.js';
import { requireLogin, requireRole } from './guard.js';
import type { ConsoleDeps } from './plugin.js';
import { flash } from './render.js';

/**
 * The console's forms: each needs a note where the API does, an explicit confirmation, a CSRF token
 * and the role the API needs, whatever the page showed. They call the same audited actions as the
 * API, recorded under the logged-in operator's name, `via: console`.
 */

const note = z.string().trim().max(1000, 'at most 1000 characters');
const confirmed = z.literal('yes', { error: 'tick the confirmation box to go ahead' });
/** cancel, approve and decline: an optional note and the confirmation. */
const noteForm = z.object({ note: note.optional(), confirm: confirmed });
const resolveForm = z.object({
  as: z.enum(['succeeded', 'failed', 'resend'], { error: 'choose succeeded, failed or resend' }),
  note: note.min(1, 'a note saying why is required'),
  force: z.literal('yes').optional(),
  confirm: confirmed,
});

function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'form', message: i.message })),
  );
}

export function registerConsoleActions(app: FastifyInstance, deps: ConsoleDeps): void {
  const { actions } = deps;
  const form = { schema: { hide: true }, preHandler: [requireLogin, app.csrfProtection] };

  const act = (
    action: string,
    role: Role,
    run: (request: FastifyRequest, id: string, who: string) => Promise<PayoutView>,
  ) =>
    app.post(
      `/payouts/:external_id/${action}`,
      form,
      async (request: FastifyRequest, reply: FastifyReply) => {
        const operator = requireRole(request, role);
        const id = String((request.params as { external_id?: unknown }).external_id ?? '');
        const view = await run(request, id, operator.name);
        flash(
          request,
          'ok',
          `${action}: payout ${id} is now ${view.status}${view.reason ? ` (${view.reason})` : ''}`,
        );
        return reply.redirect(`/console/payouts/${encodeURIComponent(id)}`, 303);
      },
    );

  act('cancel', 'operator', (request, id, who) => {
    const body = parseForm(noteForm, request.body);
    return actions.cancel(id, { who, via: 'console' }, body.note || undefined);
  });

  act('approve', 'approver', (request, id, who) => {
    const body = parseForm(noteForm, request.body);
    return actions.approve(id, { who, via: 'console' }, body.note || undefined);
  });

  act('decline', 'approver', (request, id, who) => {
    const body = parseForm(noteForm, request.body);
    return actions.decline(id, { who, via: 'console' }, body.note || undefined);
  });

  act('resolve', 'operator', (request, id, who) => {
    const body = parseForm(resolveForm, request.body);
    return actions.resolve(
      id,
      { who, via: 'console' },
      { as: body.as, note: body.note, force: body.force === 'yes' },
    );
  });
}
