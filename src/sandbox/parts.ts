import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { digest } from './answers.js';
import { type CallbackSender, createCallbackSender } from './callbacks.js';
import { createOrderHandler } from './create-route.js';
import { createFaults, type Faults } from './faults.js';
import type { SandboxOptions } from './options.js';
import { OrderBook } from './orders.js';
import { createSettling, SETTLE_DELAY_MS, type Settling } from './settling.js';
import { Timers } from './timers.js';

/**
 * The sandbox's working parts, made once from its options: the timers every delay goes through, the
 * faults, the callback sender, the order book and what keeps it, the key check, the settling and the
 * create handler.
 */
export interface SandboxParts {
  timeScale: number;
  duplicates: 'replay' | 'refuse';
  timers: Timers;
  faults: Faults;
  callbacks: CallbackSender;
  book: OrderBook;
  keyOk: (request: FastifyRequest) => boolean;
  settling: Settling;
  handleCreate: ReturnType<typeof createOrderHandler>;
}

export function createSandboxParts(options: SandboxOptions): SandboxParts {
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
  return { timeScale, duplicates, timers, faults, callbacks, book, keyOk, settling, handleCreate };
}
