import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp, type Readiness } from './app.js';
import { API_KEY_MIN_LENGTH, type Config, secretsOf } from './config.js';
import { registerConsole } from './console/plugin.js';
import type { Breakers } from './controls/breakers.js';
import { createControlsStore } from './controls/controls-store.js';
import { registerPauseRoutes } from './controls/pause-routes.js';
import type { Pauses } from './controls/pauses.js';
import { registerControlsRoutes } from './controls/routes.js';
import { createDeposits, depositSendWindowMs } from './deposits/deposits.js';
import { registerDepositRoutes } from './deposits/routes.js';
import { registerCallbackRoute } from './feedback/callbacks.js';
import type { GatewayClient } from './gateway/client.js';
import { registerLedgerRoutes } from './ledger/routes.js';
import type { Logger } from './logger.js';
import { createOperatorActions } from './operators/actions.js';
import { createAuditLog } from './operators/audit.js';
import { createAuthenticator } from './operators/authenticate.js';
import { createGuards } from './operators/guard.js';
import { registerOperatorRoutes } from './operators/routes.js';
import { registerDashboard } from './ops/dashboard.js';
import { type Metrics, registerMetricsRoute } from './ops/metrics.js';
import { payoutKeys } from './payout/keys.js';
import { sessionSecret } from './payout/sealing.js';
import type { PayoutStore } from './payout/store.js';
import { registerBatchRoutes } from './producer/batch-routes.js';
import { createBatches } from './producer/batches.js';
import type { Producer } from './producer/producer.js';
import type { ArchiveReader } from './producer/view.js';
import { type PayoutJobData, QUEUE } from './queues.js';
import { listenOn } from './start-checks.js';
import { createDeliveryReader } from './worker/deliveries.js';
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
  const {
    config,
    log,
    closers,
    redis: requestRedis,
    store,
    producer,
    payoutQueue,
    controls: holdControls,
    gateway,
    metrics,
    ready,
    onContradiction,
  } = deps;
  if (config.api.keys.some((k) => k.length < API_KEY_MIN_LENGTH)) {
    log.warn(
      { setting: 'API_KEYS' },
      `an API key is shorter than ${API_KEY_MIN_LENGTH} characters and easy to guess: use long random keys`,
    );
  }
  const deposits = createDeposits({
    redis: requestRedis,
    queuePrefix: config.queuePrefix,
    payloadKeys: config.payloadKeys,
    gateway,
    logger: log,
    onContradiction: onContradiction('deposit'),
    ledger: deps.ledgerDb !== undefined,
    sendWindowMs: depositSendWindowMs(config.gateway),
    currencies: config.currencies,
    durability: config.durability,
  });
  // The dashboard and the scrape read through the fail-fast connection, so neither hangs in an outage.
  const opsQueues = [QUEUE.maintenance, NOTIFICATIONS_QUEUE].map(
    (name) => new Queue(name, { connection: requestRedis, prefix: config.queuePrefix }),
  );
  for (const q of opsQueues) q.on('error', () => undefined);
  const notificationsQueue = opsQueues.find((q) => q.name === NOTIFICATIONS_QUEUE)!;
  metrics.observeQueues([payoutQueue, ...opsQueues]);
  metrics.observeStore(store);
  metrics.observeControls({
    pauses: holdControls.pauses.list,
    breakers: holdControls.breakers.list,
    heldCount: holdControls.pauses.heldCount,
  });
  closers.push(() => Promise.all(opsQueues.map((q) => q.close().catch(() => undefined))));
  const authenticate = createAuthenticator(config.operators);
  const guards = createGuards({ authenticate, apiKeys: config.api.keys });
  const audit = createAuditLog({ redis: requestRedis, queuePrefix: config.queuePrefix });
  const actions = createOperatorActions({ producer, audit });
  const controls = createControlsStore({ redis: requestRedis, queuePrefix: config.queuePrefix });
  const api = await buildApp({
    plugins: [
      (a) =>
        registerDashboard(a, {
          // Without NOTIFY_URL nothing works the notifications queue: the board would show "No workers".
          queues: {
            payouts: payoutQueue,
            others: config.notify ? opsQueues : opsQueues.filter((q) => q.name !== NOTIFICATIONS_QUEUE),
          },
          describePayout: async (id) => {
            const r = await store.get(id);
            return r && `${r.status}${r.reason ? `: ${r.reason}` : ''}`;
          },
          login: async (user, password) => (await authenticate(user, password)) !== undefined,
          secrets: secretsOf(config),
        }),
      (a) =>
        registerBatchRoutes(a, {
          batches: createBatches({
            producer,
            redis: requestRedis,
            keys: payoutKeys(config.queuePrefix),
            maxPayouts: config.batch.maxPayouts,
          }),
          apiKeys: config.api.keys,
          bodyLimitBytes: config.batch.bodyLimitBytes,
          maxPayouts: config.batch.maxPayouts,
          reader: guards.reader,
        }),
      (a) => registerOperatorRoutes(a, { actions, guards, audit }),
      (a) =>
        registerConsole(a, {
          authenticate,
          reader: {
            counts: store.counts,
            list: store.list,
            getPayout: producer.getPayout,
            listPayouts: producer.listPayouts,
            contradictions: store.contradictions,
            inRedis: async (id) => (await store.get(id)) !== undefined,
          },
          controls: {
            pauses: holdControls.pauses.list,
            breakers: holdControls.breakers.list,
            pause: holdControls.pauses.pause,
            resume: holdControls.pauses.resume,
          },
          actions,
          notifications: config.notify ? createDeliveryReader(notificationsQueue) : undefined,
          currencies: config.currencies,
          redis: requestRedis,
          queuePrefix: config.queuePrefix,
          sessionSecret: sessionSecret(config.payloadKeys),
          ...config.console,
        }),
      (a) =>
        registerControlsRoutes(a, {
          controls,
          guards,
          sections: { paused: holdControls.pauses.list, breakers: holdControls.breakers.list },
        }),
      (a) => registerPauseRoutes(a, { pauses: holdControls.pauses, guards }),
      (a) => registerLedgerRoutes(a, { db: deps.ledgerDb, guards, currencies: config.currencies }),
      (a) => registerMetricsRoute(a, metrics),
      (a) => registerDepositRoutes(a, { deposits, apiKeys: config.api.keys }),
      (a) =>
        registerCallbackRoute(a, {
          store,
          redis: requestRedis,
          salt: config.gateway.callbackSalt,
          logger: log,
          onDepositReport: deposits.applyReport,
          onResult: metrics.callback,
          onContradiction: onContradiction('payout'),
          currencies: config.currencies,
          ...(deps.archive ? { archive: deps.archive } : {}),
          notify: config.notify !== undefined,
        }),
    ],
    logger: log,
    producer,
    apiKeys: config.api.keys,
    reader: guards.reader,
    bodyLimitBytes: config.api.bodyLimitBytes,
    ready,
  });
  closers.unshift(() => api.close());
  const listening = { port: config.port, host: config.host };
  const address = await listenOn('PORT', listening, () => api.listen(listening));
  return { app: api, urls: { api: address, docs: `${address}/docs` } };
}
