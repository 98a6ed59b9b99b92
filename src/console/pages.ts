import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { showAmount } from '../currency/index.js';
import { PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import { mayAct, requireLogin, sessionOperator } from './guard.js';
import type { ConsoleDeps } from './plugin.js';
import { flash, page } from './render.js';
import { contradictionRows, rowsInState, timeline } from './rows.js';
import { SEARCH_DEPTH, searchPayouts } from './search.js';
import { DELIVERY_WORDS, STATE_WORDS } from './words.js';

/** How many payouts each list of the overview shows. */
const OVERVIEW_ROWS = 20;

const loginForm = z.object({ name: z.string().min(1).max(200), secret: z.string().min(1).max(1000) });

export function registerConsolePages(app: FastifyInstance, deps: ConsoleDeps): void {
  registerLogin(app, deps);
  registerOverview(app, deps);
  registerSearch(app, deps);
  registerPayoutPage(app, deps);
}

/** Logging in and out: a new session at login, none after logout. */
function registerLogin(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get('/login', { schema: { hide: true } }, async (request, reply) =>
    page(request, reply, 'login', { title: 'Log in' }),
  );

  app.post('/login', { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    const form = loginForm.safeParse(request.body);
    const operator = form.success ? await deps.authenticate(form.data.name, form.data.secret) : undefined;
    if (!operator) {
      request.log.warn({ event: 'console_login_refused' }, 'console login refused');
      flash(request, 'error', 'wrong name or secret');
      return page(request, reply, 'login', { title: 'Log in' }, 401);
    }
    // A new session id at login, so an id planted before it is worth nothing after.
    await request.session.regenerate();
    request.session.set('operator', operator);
    request.log.info({ event: 'console_login', operator: operator.name }, 'console login');
    return reply.redirect('/console', 303);
  });

  app.post('/logout', { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/console/login', 303);
  });
}

/** The overview: counts per state, the lists that need someone, the pauses and open breakers. */
function registerOverview(app: FastifyInstance, deps: ConsoleDeps): void {
  const { reader, currencies } = deps;
  app.get('/', { schema: { hide: true }, preHandler: requireLogin }, async (request, reply) => {
    const counts = await reader.counts();
    const list = (state: PayoutState) => rowsInState(reader, currencies, state, { limit: OVERVIEW_ROWS });
    const [needsReview, waiting, contradicted, retrying, paused, breakers] = await Promise.all([
      list('needs_review'),
      list('awaiting_approval'),
      contradictionRows(reader, currencies, OVERVIEW_ROWS),
      list('retry_scheduled'),
      deps.controls.pauses(),
      deps.controls.breakers(),
    ]);
    return page(request, reply, 'overview', {
      title: 'Overview',
      counts: PAYOUT_STATES.map((state) => ({ state, n: counts[state], ...STATE_WORDS[state] })),
      needsReview,
      waiting,
      contradicted,
      retrying,
      paused,
      breakers: breakers.filter((b) => b.state !== 'closed'),
      may: mayAct(request.session.get('operator')),
      shown: OVERVIEW_ROWS,
    });
  });
}

function registerSearch(app: FastifyInstance, { reader, currencies }: ConsoleDeps): void {
  app.get('/search', { schema: { hide: true }, preHandler: requireLogin }, async (request, reply) => {
    const q = String((request.query as { q?: unknown }).q ?? '').trim();
    if (q === '') return reply.redirect('/console', 303);
    const found = await searchPayouts(reader, currencies, q);
    if (found.kind === 'payout')
      return reply.redirect(`/console/payouts/${encodeURIComponent(found.externalId)}`, 303);
    return page(request, reply, 'search', {
      title: `Search: ${q}`,
      query: q,
      rows: found.rows,
      depth: SEARCH_DEPTH,
    });
  });
}

/** One payout: its amount, state in words, timeline, notifications and the forms its state allows. */
function registerPayoutPage(app: FastifyInstance, deps: ConsoleDeps): void {
  const { reader, currencies } = deps;
  app.get(
    '/payouts/:external_id',
    { schema: { hide: true }, preHandler: requireLogin },
    async (request, reply) => {
      const id = String((request.params as { external_id?: unknown }).external_id ?? '');
      const view = await reader.getPayout(id);
      const [deliveries, live] = await Promise.all([
        deps.notifications?.(view.external_id, view.history),
        reader.inRedis(view.external_id),
      ]);
      const operator = sessionOperator(request);
      const state = view.status as PayoutState;
      return page(request, reply, 'payout', {
        title: `Payout ${view.external_id}`,
        p: view,
        amount: showAmount(view.amount, view.currency, currencies),
        words: STATE_WORDS[state] ?? { meaning: '', next: '' },
        timeline: timeline(view.history),
        contradictions: view.history.filter((e) => e.contradiction).length,
        archived: !live,
        deliveries: deliveries?.map((d) => ({ ...d, words: DELIVERY_WORDS[d.status] })),
        may: mayAct(operator),
        canCancel: ['awaiting_approval', 'queued', 'retry_scheduled'].includes(view.status),
        canResolve: view.status === 'needs_review',
        canApprove: view.status === 'awaiting_approval',
      });
    },
  );
}
