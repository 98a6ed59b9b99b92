import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ALL_SYSTEMS } from '../controls/pauses.js';
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
/** pause and resume: the payment_system (`*`: every one), a note and the confirmation. */
const pauseForm = z.object({
  payment_system: z.string().trim().min(1, 'name the payment system, or * for every one').max(255),
  note: note.optional(),
  confirm: confirmed,
});
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

/** The options of every form's route: hidden from /docs, a login and a CSRF token. */
const formRoute = (app: FastifyInstance) => ({
  schema: { hide: true },
  preHandler: [requireLogin, app.csrfProtection],
});
type FormRoute = ReturnType<typeof formRoute>;

export function registerConsoleActions(app: FastifyInstance, deps: ConsoleDeps): void {
  const form = formRoute(app);
  registerControlForms(app, deps, form);
  registerPayoutForms(app, deps, form);
}

/** pause and resume, an admin's. */
function registerControlForms(app: FastifyInstance, { controls }: ConsoleDeps, form: FormRoute): void {
  for (const change of ['pause', 'resume'] as const) {
    app.post(`/controls/${change}`, form, async (request, reply) => {
      const operator = requireRole(request, 'admin');
      const body = parseForm(pauseForm, request.body);
      const system = body.payment_system === ALL_SYSTEMS ? 'every payment system' : body.payment_system;
      const by = { who: operator.name, via: 'console' as const, note: body.note || undefined };
      if (change === 'pause') {
        await controls.pause(body.payment_system, by);
        flash(request, 'ok', `paused ${system}: its payouts wait, nothing is sent until resumed`);
      } else {
        const { removed, remaining, woken } = await controls.resume(body.payment_system, by);
        const still =
          remaining.length > 0 ? `; still paused: ${remaining.map((p) => p.payment_system).join(', ')}` : '';
        flash(
          request,
          removed.length > 0 ? 'ok' : 'error',
          removed.length > 0
            ? `resumed ${system}: ${woken} waiting payout(s) woken${still}`
            : `${system} was not paused${still}`,
        );
      }
      return reply.redirect('/console', 303);
    });
  }
}

/** cancel, approve, decline and resolve: each answered by a redirect to the payout's page. */
function registerPayoutForms(app: FastifyInstance, { actions }: ConsoleDeps, form: FormRoute): void {
  const act = (
    action: string,
    role: Role,
    run: (request: FastifyRequest, id: string, who: string) => Promise<PayoutView>,
  ) => registerPayoutForm(app, form, action, role, run);

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

function registerPayoutForm(
  app: FastifyInstance,
  form: FormRoute,
  action: string,
  role: Role,
  run: (request: FastifyRequest, id: string, who: string) => Promise<PayoutView>,
) {
  return app.post(
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
}
