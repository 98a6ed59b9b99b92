import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { Direction } from '../methods/index.js';
import { errorBody, isObject } from './answers.js';
import { createOrder } from './new-order.js';
import type { Entry, OrderBook, SandboxOrder } from './orders.js';
import { type ScreeningDeps, screen } from './screening.js';
import type { Settling } from './settling.js';
import type { Timers } from './timers.js';

/** An early callback's first attempt holds the HTTP answer back at most this long. */
const EARLY_CALLBACK_WAIT_MS = 5_000;

export interface OrderHandlerDeps extends ScreeningDeps {
  book: OrderBook;
  timers: Timers;
  settling: Settling;
  keep: (externalId: string) => Promise<void>;
  logger: Logger | undefined;
}

/** One request and where its answer goes: what the sandbox records and logs of it. */
interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
  direction: Direction;
  externalId: string | undefined;
  entry: Entry | undefined;
  logger: Logger | undefined;
}

/**
 * The payout and deposit endpoints: the checks in the gateway's order (key, body, signature,
 * validation), then the faults and markers asked for, then one order per external_id (or the first
 * answer replayed, or 409, as `duplicates` says).
 */
export function createOrderHandler(deps: OrderHandlerDeps) {
  return (request: FastifyRequest, reply: FastifyReply, direction: Direction) =>
    handleCreate(deps, request, reply, direction);
}

async function handleCreate(
  deps: OrderHandlerDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  direction: Direction,
) {
  const { book, logger } = deps;
  const body = request.body;
  const externalId = isObject(body) && typeof body.external_id === 'string' ? body.external_id : undefined;
  const entry = externalId === undefined ? undefined : book.entry(externalId);
  if (entry) entry.requests += 1;
  const exchange: Exchange = { request, reply, direction, externalId, entry, logger };

  const screened = screen(deps, request, direction, entry);
  if (screened.early)
    return answer(exchange, screened.early.status, screened.early.body, screened.early.headers);
  const { checked, scenario } = screened;
  const valid = entry!;

  const order = createOrder(
    book,
    logger,
    {
      entry: valid,
      direction,
      method: checked.method,
      body: checked.request,
      origin: `${request.protocol}://${request.host}`,
    },
    scenario,
  );
  await deps.keep(order.external_id);
  if (order.scenario.callbacks.early) {
    await Promise.race([deps.settling.early(order), deps.timers.sleep(EARLY_CALLBACK_WAIT_MS)]);
  } else {
    deps.settling.schedule(order);
  }
  return answerCreated(deps, exchange, order);
}

/** The answer to a request that made an order: slow, dropped, a 500 or the order, as asked. */
async function answerCreated(deps: OrderHandlerDeps, exchange: Exchange, order: SandboxOrder) {
  if (order.scenario.slowMs > 0 && !(await deps.timers.sleep(order.scenario.slowMs))) return drop(exchange);
  const fault =
    order.scenario.afterCreate !== 'answer' ? order.scenario.afterCreate : deps.faults.afterCreate();
  if (fault === 'drop') return drop(exchange);
  if (fault === '500')
    return answer(exchange, 500, errorBody('internal_error', 'the order was created, then something failed'));
  return answer(exchange, 200, order.answer);
}

function answer(exchange: Exchange, status: number, payload: unknown, headers: Record<string, string> = {}) {
  const { entry, logger, direction, externalId, reply } = exchange;
  entry?.answers.push(status);
  logger?.debug({ endpoint: direction, external_id: externalId, answer: status }, 'sandbox answered');
  return reply.code(status).headers(headers).send(payload);
}

function drop(exchange: Exchange) {
  const { entry, logger, direction, externalId, reply, request } = exchange;
  entry?.answers.push('dropped');
  logger?.debug(
    { endpoint: direction, external_id: externalId, answer: 'dropped' },
    'sandbox dropped the connection',
  );
  reply.hijack();
  request.raw.socket.destroy();
}
