import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Currencies } from '../currency/index.js';
import { errorBody, isObject } from './answers.js';
import type { OrderBook, SandboxOrder } from './orders.js';
import { renderPayPage } from './pay-page.js';
import type { Settling } from './settling.js';

/**
 * The sandbox's own pages, which the real gateway does not have: what it received (no payment data),
 * and the deposit's pay page, where a person approves or declines it as the player would.
 */
export function registerViewRoutes(
  view: FastifyInstance,
  deps: { book: OrderBook; settling: Settling; currencies: Currencies | undefined },
): void {
  const { book } = deps;
  view.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, text, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(text))));
    },
  );
  view.get('/sandbox/orders', async () => ({ orders: book.all() }));
  view.get<{ Params: { external_id: string } }>('/sandbox/orders/:external_id', async (request, reply) => {
    const entry = book.find(request.params.external_id);
    if (!entry) return reply.code(404).send(errorBody('not_found', 'nothing received for this external_id'));
    return book.view(entry);
  });
  const payPage = (order: SandboxOrder, reply: FastifyReply) =>
    reply.code(200).type('text/html; charset=utf-8').send(renderPayPage(order, deps.currencies));
  view.get<{ Params: { order_id: string } }>('/sandbox/pay/:order_id', async (request, reply) => {
    const order = book.byOrder(request.params.order_id)?.order;
    if (order?.type !== 1) return reply.code(404).send(errorBody('not_found', 'no such deposit'));
    return payPage(order, reply);
  });
  view.post<{ Params: { order_id: string } }>('/sandbox/pay/:order_id', async (request, reply) => {
    const order = book.byOrder(request.params.order_id)?.order;
    if (order?.type !== 1) return reply.code(404).send(errorBody('not_found', 'no such deposit'));
    const decision = isObject(request.body) ? request.body.decision : undefined;
    void deps.settling.settle(
      order,
      decision === 'decline'
        ? { status: 5, reason_code: '005', reason: 'Declined by the player' }
        : { status: 4 },
    );
    return payPage(order, reply);
  });
}
