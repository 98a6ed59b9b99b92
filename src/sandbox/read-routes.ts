import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verify } from '../gateway/signature.js';
import type { Logger } from '../logger.js';
import { errorBody, isObject } from './answers.js';
import type { OrderBook } from './orders.js';

/** The gateway's read endpoints: an order's status by order_id, and the merchant's balances. */
export function registerReadRoutes(
  gateway: FastifyInstance,
  paths: { status: string; balances: string },
  deps: {
    book: OrderBook;
    keyOk: (request: FastifyRequest) => boolean;
    salt: string;
    logger: Logger | undefined;
  },
): void {
  const { book, keyOk, logger } = deps;
  gateway.post(paths.status, async (request, reply) => {
    const body = request.body;
    if (!keyOk(request))
      return reply.code(401).send(errorBody('unauthorized', 'MERCHANT_KEY is missing or wrong'));
    if (!isObject(body))
      return reply.code(400).send(errorBody('bad_request', 'the body must be a JSON object'));
    if (!verify(body, deps.salt))
      return reply.code(401).send(errorBody('invalid_signature', 'the signature does not match'));
    const orderId = typeof body.order_id === 'number' ? String(body.order_id) : body.order_id;
    if (typeof orderId !== 'string' || orderId === '') {
      return reply
        .code(422)
        .send(
          errorBody('validation_failed', 'order_id: is required', [
            { path: 'order_id', message: 'is required' },
          ]),
        );
    }
    const found = book.byOrder(orderId);
    if (!found) return reply.code(404).send(errorBody('order_not_found', 'no order with this order_id'));
    found.entry.statusRequests += 1;
    const o = found.order;
    logger?.debug({ endpoint: 'status', external_id: o.external_id, status: o.status }, 'sandbox answered');
    return reply.code(200).send({
      status: o.status,
      type: o.type,
      external_id: o.external_id,
      order_id: o.order_id,
      ...(o.reason_code !== undefined ? { reason_code: o.reason_code, reason: o.reason } : {}),
    });
  });

  gateway.get(paths.balances, async (request, reply) => {
    if (!keyOk(request))
      return reply.code(401).send(errorBody('unauthorized', 'MERCHANT_KEY is missing or wrong'));
    return reply.code(200).send({
      balances: [
        { currency: 'USD', available: 125_000_000, reserved: 0 },
        { currency: 'EUR', available: 98_000_000, reserved: 0 },
        { currency: 'AZN', available: 50_000_000, reserved: 0 },
      ],
    });
  });
}
