import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { apiPlugins } from './api-routes.js';
import { buildApp, type Readiness } from './app.js';
import { API_KEY_MIN_LENGTH, type Config } from './config.js';
import type { Breakers } from './controls/breakers.js';
import { createControlsStore } from './controls/controls-store.js';
import type { Pauses } from './controls/pauses.js';
import { createDeposits, depositSendWindowMs } from './deposits/deposits.js';
import type { GatewayClient } from './gateway/client.js';
import type { registerLedgerRoutes } from './ledger/routes.js';
import type { Logger } from './logger.js';
import { createOperatorActions } from './operators/actions.js';
import { createAuditLog } from './operators/audit.js';
import { createAuthenticator } from './operators/authenticate.js';
import { createGuards } from './operators/guard.js';
import type { Metrics } from './ops/metrics.js';
import type { PayoutStore } from './payout/store.js';
import type { Producer } from './producer/producer.js';
import type { ArchiveReader } from './producer/view.js';
import { type PayoutJobData, QUEUE } from './queues.js';
import { listenOn } from './start-checks.js';
import { NOTIFICATIONS_QUEUE } from './worker/notifier.js';

/**
 * The API part of the system (`payouts api`, and `payouts all`): every HTTP route on one port, from
 * the parts the composition root (system.ts) already made.
 */

export interface ApiPartDeps {
  config: Config;
  log: Logger;
  /** Where the part registers what must be closed (the server first, then its queues). */
  closers: (() => Promise<unknown>)[];
  /** The fail-fast request connection. */
  redis: Redis;
  store: PayoutStore;
  producer: Producer;
  payoutQueue: Queue<PayoutJobData>;
  controls: { pauses: Pauses; breakers: Breakers };
  gateway: GatewayClient;
  metrics: Metrics;
  ledgerDb: Parameters<typeof registerLedgerRoutes>[1]['db'];
  /** Where payouts archived out of Redis are read and noted (the ledger), when there is one. */
  archive?: ArchiveReader | undefined;
  ready: Readiness;
  onContradiction: (kind: 'payout' | 'deposit') => () => void;
}

export async function startApi(
  deps: ApiPartDeps,
): Promise<{ app: FastifyInstance; urls: Record<string, string> }> {
  const { config, log, closers, redis, store, producer, payoutQueue, controls: holdControls, metrics } = deps;
  warnShortApiKeys(config, log);
  const deposits = depositsOf(deps);
  const { opsQueues, notificationsQueue } = observeQueues(deps);
  const authenticate = createAuthenticator(config.operators);
  const guards = createGuards({ authenticate, apiKeys: config.api.keys });
  const audit = createAuditLog({ redis, queuePrefix: config.queuePrefix });
  const actions = createOperatorActions({ producer, audit });
  const controls = createControlsStore({ redis, queuePrefix: config.queuePrefix });
  const api = await buildApp({
    plugins: apiPlugins({
      config,
      log,
      redis,
      store,
      producer,
      payoutQueue,
      opsQueues,
      notificationsQueue,
      holdControls,
      controls,
      metrics,
      ledgerDb: deps.ledgerDb,
      archive: deps.archive,
      deposits,
      authenticate,
      guards,
      audit,
      actions,
      onContradiction: deps.onContradiction,
    }),
    logger: log,
    producer,
    apiKeys: config.api.keys,
    reader: guards.reader,
    bodyLimitBytes: config.api.bodyLimitBytes,
    ready: deps.ready,
  });
  closers.unshift(() => api.close());
  const listening = { port: config.port, host: config.host };
  const address = await listenOn('PORT', listening, () => api.listen(listening));
  return { app: api, urls: { api: address, docs: `${address}/docs` } };
}

function warnShortApiKeys(config: Config, log: Logger): void {
  if (config.api.keys.some((k) => k.length < API_KEY_MIN_LENGTH)) {
    log.warn(
      { setting: 'API_KEYS' },
      `an API key is shorter than ${API_KEY_MIN_LENGTH} characters and easy to guess: use long random keys`,
    );
  }
}

function depositsOf(deps: ApiPartDeps) {
  const { config } = deps;
  return createDeposits({
    redis: deps.redis,
    queuePrefix: config.queuePrefix,
    payloadKeys: config.payloadKeys,
    gateway: deps.gateway,
    logger: deps.log,
    onContradiction: deps.onContradiction('deposit'),
    ledger: deps.ledgerDb !== undefined,
    sendWindowMs: depositSendWindowMs(config.gateway),
    currencies: config.currencies,
    durability: config.durability,
  });
}

/** The maintenance and notifications queues, and what the metrics observe; closed after the server. */
function observeQueues(deps: ApiPartDeps): { opsQueues: Queue[]; notificationsQueue: Queue } {
  const { config, metrics, controls: holdControls } = deps;
  // The dashboard and the scrape read through the fail-fast connection, so neither hangs in an outage.
  const opsQueues = [QUEUE.maintenance, NOTIFICATIONS_QUEUE].map(
    (name) => new Queue(name, { connection: deps.redis, prefix: config.queuePrefix }),
  );
  for (const q of opsQueues) q.on('error', () => undefined);
  const notificationsQueue = opsQueues.find((q) => q.name === NOTIFICATIONS_QUEUE)!;
  metrics.observeQueues([deps.payoutQueue, ...opsQueues]);
  metrics.observeStore(deps.store);
  metrics.observeControls({
    pauses: holdControls.pauses.list,
    breakers: holdControls.breakers.list,
    heldCount: holdControls.pauses.heldCount,
  });
  deps.closers.push(() => Promise.all(opsQueues.map((q) => q.close().catch(() => undefined))));
  return { opsQueues, notificationsQueue };
}
