import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Currencies } from '../currency/index.js';
import type { Logger } from '../logger.js';
import { answerErrorsAsTheGateway, digest } from './answers.js';
import { createCallbackSender } from './callbacks.js';
import { createOrderHandler } from './create-route.js';
import { createFaults, type FaultOptions, type LatencyOptions } from './faults.js';
import type { SandboxOrderStore } from './order-store.js';
import { OrderBook, type SandboxRecord } from './orders.js';
import { registerReadRoutes } from './read-routes.js';
import { createSettling } from './settling.js';
import { Timers } from './timers.js';
import { registerViewRoutes } from './view-routes.js';

/**
 * A simulator of the Cabbagino gateway (SPEC.md) for development, demos and tests: the four
 * endpoints with their paths, shapes, MERCHANT_KEY and signature checks; one order per external_id;
 * signed callbacks on the gateway's schedule; outcomes on demand through customer_id markers
 * (markers.ts); seeded fault rates for load tests; and a read-only view of what it received.
 * It logs external_ids and outcomes, never a body.
 *
 * The parts: create-route.ts (payout and deposit requests), new-order.ts (an order and its answer),
 * settling.ts (settling and callbacks), read-routes.ts (status, balances), view-routes.ts (what it
 * received, the deposit's pay page), answers.ts (the gateway's error bodies).
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
const BODY_LIMIT_BYTES = 64 * 1024;
const PATHS = {
  payout: '/v2/payment/payout/',
  deposit: '/v2/payment/deposit/',
  status: '/status/',
  balances: '/balances/',
} as const;

export function createSandbox(options: SandboxOptions): Sandbox {
  const { salt, logger } = options;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError('sandbox timeScale must be greater than 0');
  const duplicates = options.duplicates ?? 'replay';
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
  const keyOk = (request: FastifyRequest) => {
    const given = request.headers.merchant_key;
    return typeof given === 'string' && timingSafeEqual(digest(given), merchantKeyDigest);
  };
  const settling = createSettling({
    book,
    callbacks,
    timers,
    keep,
    settleDelayMs: (options.settleDelayMs ?? SETTLE_DELAY_MS) * timeScale,
    logger,
  });
  const handleCreate = createOrderHandler({
    book,
    keyOk,
    salt,
    currencies: options.currencies,
    duplicates,
    faults,
    timers,
    settling,
    keep,
    logger,
  });

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  answerErrorsAsTheGateway(app, logger);
  app.register(async (gateway) => {
    gateway.addHook('onRequest', async () => {
      const ms = faults.latencyMs();
      if (ms > 0) await timers.sleep(ms);
    });
    gateway.post(PATHS.payout, (request, reply) => handleCreate(request, reply, 'payout'));
    gateway.post(PATHS.deposit, (request, reply) => handleCreate(request, reply, 'deposit'));
    registerReadRoutes(gateway, PATHS, { book, keyOk, salt, logger });
  });
  app.register(async (view) => registerViewRoutes(view, { book, settling, currencies: options.currencies }));

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
      if (options.orders) await settling.restore(options.orders);
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
