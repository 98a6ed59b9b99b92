import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Currencies } from '../currency/index.js';
import type { GatewayStatusCode } from '../gateway/outcome.js';
import { canonicalString, verify } from '../gateway/signature.js';
import type { Logger } from '../logger.js';
import type { Direction, GatewayRequest, Issue, MethodId } from '../methods/index.js';
import { type CallbackPayload, createCallbackSender } from './callbacks.js';
import { createFaults, type FaultOptions, type LatencyOptions } from './faults.js';
import { validateGatewayBody } from './infer-method.js';
import { parseScenario, type Scenario } from './markers.js';
import type { SandboxOrderStore } from './order-store.js';
import { type Entry, OrderBook, ordersOf, type SandboxOrder, type SandboxRecord } from './orders.js';
import { renderPayPage } from './pay-page.js';
import { Timers } from './timers.js';

/**
 * A simulator of the Cabbagino gateway (SPEC.md) for development, demos and tests: the four
 * endpoints with their paths, shapes, MERCHANT_KEY and signature checks; one order per external_id;
 * signed callbacks on the gateway's schedule; outcomes on demand through customer_id markers
 * (markers.ts); seeded fault rates for load tests; and a read-only view of what it received.
 * It logs external_ids and outcomes, never a body.
 */

export interface SandboxOptions {
  /** The MERCHANT_KEY header every request must carry. */
  merchantKey: string;
  /** Verifies requests, and signs callbacks unless `callbackSalt` is given. */
  salt: string;
  /** Signs callbacks. @defaultValue salt */
  callbackSalt?: string | undefined;
  /** Where callbacks are POSTed; without it none are sent. */
  callbackUrl?: string | undefined;
  /** Multiplies the default settle delay and the callback schedule; 0.001 makes 45 s into 45 ms. @defaultValue 1 */
  timeScale?: number | undefined;
  /** A repeated external_id: `replay` the first answer, or `refuse` it with 409 `duplicate_external_id`. @defaultValue 'replay' */
  duplicates?: 'replay' | 'refuse' | undefined;
  logger?: Logger | undefined;
  /** Global fault rates for load tests (markers work regardless). */
  faults?: FaultOptions | undefined;
  /** Delay added to every gateway endpoint's answer, in real milliseconds. @defaultValue 0 */
  latency?: LatencyOptions | number | undefined;
  /** Time from creation to the final status of a pending order, before timeScale. @defaultValue 10000 */
  settleDelayMs?: number | undefined;
  /**
   * The currencies it takes and their units: a sandbox started beside a deployment takes what that
   * deployment may send. @defaultValue the rules of unset settings
   */
  currencies?: Currencies | undefined;
  /** Keeps orders across restarts (order-store.ts); `listen()` loads them. @defaultValue in memory only */
  orders?: SandboxOrderStore | undefined;
}

export interface Sandbox {
  /** The fastify app: `app.inject()` works without listening. */
  readonly app: FastifyInstance;
  /** Starts listening and returns the base URL (`http://127.0.0.1:PORT`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops every timer and callback, then the server. Calling it again waits for the same close. */
  close(): Promise<void>;
  /** What arrived for each external_id (a snapshot). */
  received(): SandboxRecord[];
  received(externalId: string): SandboxRecord | undefined;
}

/** A pending order becomes final this long after creation, times timeScale. */
export const SETTLE_DELAY_MS = 10_000;
/** An early callback's first attempt holds the HTTP answer back at most this long. */
const EARLY_CALLBACK_WAIT_MS = 5_000;
const BODY_LIMIT_BYTES = 64 * 1024;
const PATHS = {
  payout: '/v2/payment/payout/',
  deposit: '/v2/payment/deposit/',
  status: '/status/',
  balances: '/balances/',
} as const;

type ErrorCode =
  | 'unauthorized'
  | 'invalid_signature'
  | 'bad_request'
  | 'validation_failed'
  | 'duplicate_external_id'
  | 'service_unavailable'
  | 'too_many_requests'
  | 'internal_error'
  | 'order_not_found'
  | 'not_found'
  | 'body_too_large'
  | 'unsupported_media_type';

const errorBody = (code: ErrorCode, message: string, issues?: Issue[]) => ({
  error: { code, message, ...(issues ? { issues } : {}) },
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const digest = (text: string) => createHash('sha256').update(text).digest();

const isFinal = (status: GatewayStatusCode) => status === 4 || status === 5 || status === 6;

export function createSandbox(options: SandboxOptions): Sandbox {
  const { salt, logger } = options;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError('sandbox timeScale must be greater than 0');
  const duplicates = options.duplicates ?? 'replay';
  const settleDelayMs = (options.settleDelayMs ?? SETTLE_DELAY_MS) * timeScale;
  const merchantKeyDigest = digest(options.merchantKey);
  const timers = new Timers();
  const faults = createFaults(options.faults, options.latency);
  const callbacks = createCallbackSender({
    url: options.callbackUrl,
    salt: options.callbackSalt ?? salt,
    timeScale,
    timers,
    logger,
  });
  const book = new OrderBook();

  /** Writes the order's entry to the order store, if any; a failed write is logged, the order goes on. */
  const keep = async (externalId: string) => {
    const entry = book.find(externalId);
    if (!entry || !options.orders) return;
    await options.orders.save(entry).catch((err: { code?: string; message?: string }) => {
      logger?.warn({ external_id: externalId, code: err.code }, 'sandbox could not keep its order in Redis');
    });
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
  });

  const keyOk = (request: FastifyRequest) => {
    const given = request.headers.merchant_key;
    return typeof given === 'string' && timingSafeEqual(digest(given), merchantKeyDigest);
  };

  /** The fields of the callback for the order's current status. */
  const callbackPayload = (
    order: SandboxOrder,
    status: GatewayStatusCode = order.status,
  ): CallbackPayload => ({
    status,
    type: order.type,
    external_id: order.external_id,
    order_id: order.order_id,
    amount: order.amount,
    currency: order.currency,
    customer_id: order.customer_id,
    ...(status === order.status && order.reason_code !== undefined
      ? { reason_code: order.reason_code, reason: order.reason }
      : {}),
  });

  /** Sends the final callback, then the scenario's duplicate and stale ones once it is acknowledged. */
  function sendFinalCallback(order: SandboxOrder) {
    const { callbacks: wanted } = order.scenario;
    if (wanted.withheld) return Promise.resolve();
    const final = callbacks.deliver(callbackPayload(order), order.callbacks);
    void final.acknowledged.then((ok) => {
      if (!ok) return;
      void keep(order.external_id);
      if (wanted.duplicate) callbacks.deliver(callbackPayload(order), order.callbacks);
      if (wanted.stale) callbacks.deliver(callbackPayload(order, 3), order.callbacks);
    });
    return final.firstAttempt;
  }

  /** Moves a pending order to its scenario's final status (or `override`) and sends the callback. */
  function settle(order: SandboxOrder, override?: SandboxOrder['scenario']['final']) {
    if (isFinal(order.status)) return Promise.resolve();
    const final = override ?? order.scenario.final;
    order.status = final.status;
    if (final.status !== 4) {
      order.reason_code = final.reason_code;
      order.reason = final.reason;
    }
    logger?.info({ external_id: order.external_id, status: order.status }, 'sandbox order settled');
    return keep(order.external_id).then(() => sendFinalCallback(order));
  }

  /** After a restart: the kept orders are known again, pending ones settle when due, unacknowledged callbacks go again. */
  async function restore(store: SandboxOrderStore) {
    const now = Date.now();
    for (const entry of await store.load(now)) {
      book.restore(entry);
      for (const order of ordersOf(entry)) {
        if (!isFinal(order.status)) {
          const due = Date.parse(order.created_at) + (order.scenario.settleDelayMs ?? settleDelayMs);
          timers.later(Math.max(0, due - now), () => void settle(order));
        } else if (!order.callbacks.some((c) => c.acknowledged && c.status === order.status)) {
          timers.later(0, () => void sendFinalCallback(order));
        }
      }
    }
  }

  function createOrder(
    entry: Entry,
    direction: Direction,
    method: MethodId,
    request: GatewayRequest,
    scenario: Scenario,
    origin: string,
  ): SandboxOrder {
    const orderId = book.nextOrderId();
    const type = direction === 'deposit' ? 1 : 2;
    const final = scenario.final;
    const status: GatewayStatusCode =
      scenario.answer === 'unknown'
        ? 7
        : scenario.answer === 'instant'
          ? final.status
          : direction === 'deposit'
            ? 3
            : 1;
    const answer: Record<string, unknown> = {
      ...(direction === 'deposit' ? { redirect: `${origin}/sandbox/pay/${orderId}` } : {}),
      status,
      type,
      external_id: request.external_id,
      order_id: orderId,
      ...(isFinal(status) && final.status !== 4
        ? { reason_code: final.reason_code, reason: final.reason }
        : {}),
      ...displayData(direction, method, request),
    };
    const order: SandboxOrder = {
      external_id: request.external_id,
      order_id: orderId,
      type,
      method,
      amount: request.amount,
      currency: request.currency,
      customer_id: request.customer.customer_id,
      status,
      ...(isFinal(status) && final.status !== 4
        ? { reason_code: final.reason_code, reason: final.reason }
        : {}),
      scenario,
      answer,
      created_at: new Date().toISOString(),
      callbacks: [],
    };
    book.add(entry, order);
    logger?.info(
      { external_id: order.external_id, order_id: orderId, status, method },
      'sandbox order created',
    );
    return order;
  }

  async function handleCreate(request: FastifyRequest, reply: FastifyReply, direction: Direction) {
    const body = request.body;
    const externalId = isObject(body) && typeof body.external_id === 'string' ? body.external_id : undefined;
    const entry = externalId === undefined ? undefined : book.entry(externalId);
    if (entry) entry.requests += 1;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry?.answers.push(status);
      logger?.debug({ endpoint: direction, external_id: externalId, answer: status }, 'sandbox answered');
      return reply.code(status).headers(headers).send(payload);
    };
    const drop = () => {
      entry?.answers.push('dropped');
      logger?.debug(
        { endpoint: direction, external_id: externalId, answer: 'dropped' },
        'sandbox dropped the connection',
      );
      reply.hijack();
      request.raw.socket.destroy();
    };

    if (!keyOk(request)) return answer(401, errorBody('unauthorized', 'MERCHANT_KEY is missing or wrong'));
    if (!isObject(body)) return answer(400, errorBody('bad_request', 'the body must be a JSON object'));
    if (!verify(body, salt))
      return answer(401, errorBody('invalid_signature', 'the signature does not match'));
    const checked = validateGatewayBody(body, direction, options.currencies);
    if (!checked.ok) {
      const summary = checked.issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ');
      return answer(422, errorBody('validation_failed', summary, checked.issues));
    }
    const valid = entry!;
    const fingerprint = digest(canonicalString(body)).toString('hex');
    valid.fingerprint ??= fingerprint;
    if (valid.fingerprint !== fingerprint) valid.sameBody = false;

    if (faults.beforeCreate() === '503') {
      return answer(503, errorBody('service_unavailable', 'sandbox fault: try again later'), {
        'Retry-After': '1',
      });
    }
    // A gateway that does not deduplicate external_id (SPEC.md leaves it open) makes another order.
    if (valid.order && !valid.order.scenario.newOrderOnRepeat) {
      if (duplicates === 'refuse') {
        return answer(
          409,
          errorBody('duplicate_external_id', 'an order with this external_id already exists'),
        );
      }
      return answer(200, valid.order.answer);
    }
    const scenario = parseScenario(checked.request.customer.customer_id);
    const refuse = scenario.refuseFirst;
    if (refuse && valid.refusedByMarker < refuse.count) {
      valid.refusedByMarker += 1;
      return refuse.httpStatus === 503
        ? answer(503, errorBody('service_unavailable', 'try again later'), {
            'Retry-After': String(scenario.retryAfterSeconds),
          })
        : answer(429, errorBody('too_many_requests', 'slow down'), {
            'Retry-After': String(scenario.retryAfterSeconds),
          });
    }

    const origin = `${request.protocol}://${request.host}`;
    const order = createOrder(valid, direction, checked.method, checked.request, scenario, origin);
    await keep(order.external_id);
    if (order.scenario.callbacks.early) {
      const first = isFinal(order.status) ? sendFinalCallback(order) : settle(order);
      await Promise.race([first, timers.sleep(EARLY_CALLBACK_WAIT_MS)]);
    } else if (isFinal(order.status)) {
      timers.later(0, () => void sendFinalCallback(order));
    } else {
      timers.later(order.scenario.settleDelayMs ?? settleDelayMs, () => void settle(order));
    }

    if (order.scenario.slowMs > 0 && !(await timers.sleep(order.scenario.slowMs))) return drop();
    const fault = order.scenario.afterCreate !== 'answer' ? order.scenario.afterCreate : faults.afterCreate();
    if (fault === 'drop') return drop();
    if (fault === '500')
      return answer(500, errorBody('internal_error', 'the order was created, then something failed'));
    return answer(200, order.answer);
  }

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    const [code, message]: [ErrorCode, string] =
      status === 413
        ? ['body_too_large', 'the body is too large']
        : status === 415
          ? ['unsupported_media_type', 'send Content-Type: application/json']
          : status < 500
            ? ['bad_request', 'the body is not valid JSON']
            : ['internal_error', 'the sandbox failed'];
    // The error's message can quote the body (JSON parse errors do): only its code is logged.
    logger?.warn({ url: request.url, status, code: error.code }, 'sandbox refused a request');
    return reply.code(status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(errorBody('not_found', 'no such endpoint')),
  );

  app.register(async (gateway) => {
    gateway.addHook('onRequest', async () => {
      const ms = faults.latencyMs();
      if (ms > 0) await timers.sleep(ms);
    });
    gateway.post(PATHS.payout, (request, reply) => handleCreate(request, reply, 'payout'));
    gateway.post(PATHS.deposit, (request, reply) => handleCreate(request, reply, 'deposit'));

    gateway.post(PATHS.status, async (request, reply) => {
      const body = request.body;
      if (!keyOk(request))
        return reply.code(401).send(errorBody('unauthorized', 'MERCHANT_KEY is missing or wrong'));
      if (!isObject(body))
        return reply.code(400).send(errorBody('bad_request', 'the body must be a JSON object'));
      if (!verify(body, salt))
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

    gateway.get(PATHS.balances, async (request, reply) => {
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
  });

  app.register(async (view) => {
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
      if (!entry)
        return reply.code(404).send(errorBody('not_found', 'nothing received for this external_id'));
      return book.view(entry);
    });
    const payPage = (order: SandboxOrder, reply: FastifyReply) =>
      reply.code(200).type('text/html; charset=utf-8').send(renderPayPage(order, options.currencies));
    view.get<{ Params: { order_id: string } }>('/sandbox/pay/:order_id', async (request, reply) => {
      const order = book.byOrder(request.params.order_id)?.order;
      if (order?.type !== 1) return reply.code(404).send(errorBody('not_found', 'no such deposit'));
      return payPage(order, reply);
    });
    view.post<{ Params: { order_id: string } }>('/sandbox/pay/:order_id', async (request, reply) => {
      const order = book.byOrder(request.params.order_id)?.order;
      if (order?.type !== 1) return reply.code(404).send(errorBody('not_found', 'no such deposit'));
      const decision = isObject(request.body) ? request.body.decision : undefined;
      void settle(
        order,
        decision === 'decline'
          ? { status: 5, reason_code: '005', reason: 'Declined by the player' }
          : { status: 4 },
      );
      return payPage(order, reply);
    });
  });

  let closing: Promise<void> | undefined;

  function received(): SandboxRecord[];
  function received(externalId: string): SandboxRecord | undefined;
  function received(externalId?: string): SandboxRecord[] | SandboxRecord | undefined {
    if (externalId === undefined) return book.all();
    const entry = book.find(externalId);
    return entry && book.view(entry);
  }

  return {
    app,
    received,
    async listen(port = 0, host = '127.0.0.1') {
      if (options.orders) await restore(options.orders);
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
      logger?.info({ url, duplicates, timeScale }, 'sandbox gateway listening');
      return url;
    },
    close() {
      closing ??= (async () => {
        timers.clear();
        callbacks.close();
        await app.close();
      })();
      return closing;
    },
  };
}

/**
 * The gateway's card payout answers echo the card in display_data, in full (SPEC.md). The sandbox
 * does the same, so that the client's masking is exercised; it never logs or shows it.
 */
function displayData(direction: Direction, method: MethodId, request: GatewayRequest) {
  const data = request.payment_data;
  if (direction !== 'payout' || !data) return {};
  if (method === 'bank_card' || method === 'p2p_card') {
    return {
      display_data: {
        card: data.card_number ?? '',
        card_holder: data.card_holder ?? '',
        bank_name: data.bank_name ?? 'Sandbox Bank',
      },
    };
  }
  return {};
}
