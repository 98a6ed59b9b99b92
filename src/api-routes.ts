import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { type Config, secretsOf } from './config.js';
import { registerConsole } from './console/plugin.js';
import type { Breakers } from './controls/breakers.js';
import type { createControlsStore } from './controls/controls-store.js';
import { registerPauseRoutes } from './controls/pause-routes.js';
import type { Pauses } from './controls/pauses.js';
import { registerControlsRoutes } from './controls/routes.js';
import type { createDeposits } from './deposits/deposits.js';
import { registerDepositRoutes } from './deposits/routes.js';
import { registerCallbackRoute } from './feedback/callbacks.js';
import { registerLedgerRoutes } from './ledger/routes.js';
import type { Logger } from './logger.js';
import type { createOperatorActions } from './operators/actions.js';
import type { createAuditLog } from './operators/audit.js';
import type { createAuthenticator } from './operators/authenticate.js';
import type { createGuards } from './operators/guard.js';
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
import type { PayoutJobData } from './queues.js';
import { createDeliveryReader } from './worker/deliveries.js';
import { NOTIFICATIONS_QUEUE } from './worker/notifier.js';

/**
 * The API part's routes beyond the payout routes (dashboard, batches, operators, console, controls,
 * ledger, metrics, deposits, callbacks): one function per plugin over the parts the API made.
 */

export interface ApiRoutesContext {
  config: Config;
  log: Logger;
  /** The fail-fast request connection. */
  redis: Redis;
  store: PayoutStore;
  producer: Producer;
  payoutQueue: Queue<PayoutJobData>;
  /** The maintenance and notifications queues, read by the dashboard and the scrape. */
  opsQueues: Queue[];
  notificationsQueue: Queue;
  holdControls: { pauses: Pauses; breakers: Breakers };
  controls: ReturnType<typeof createControlsStore>;
  metrics: Metrics;
  ledgerDb: Parameters<typeof registerLedgerRoutes>[1]['db'];
  archive?: ArchiveReader | undefined;
  deposits: ReturnType<typeof createDeposits>;
  authenticate: ReturnType<typeof createAuthenticator>;
  guards: ReturnType<typeof createGuards>;
  audit: ReturnType<typeof createAuditLog>;
  actions: ReturnType<typeof createOperatorActions>;
  onContradiction: (kind: 'payout' | 'deposit') => () => void;
}

type Plugin = (app: FastifyInstance) => Promise<void> | void;

/** The plugins in the order they are registered. */
export function apiPlugins(ctx: ApiRoutesContext): Plugin[] {
  return [
    (a) => dashboard(a, ctx),
    (a) => batchRoutes(a, ctx),
    (a) => registerOperatorRoutes(a, { actions: ctx.actions, guards: ctx.guards, audit: ctx.audit }),
    (a) => consoleRoutes(a, ctx),
    (a) => controlsRoutes(a, ctx),
    (a) => registerPauseRoutes(a, { pauses: ctx.holdControls.pauses, guards: ctx.guards }),
    (a) =>
      registerLedgerRoutes(a, { db: ctx.ledgerDb, guards: ctx.guards, currencies: ctx.config.currencies }),
    (a) => registerMetricsRoute(a, ctx.metrics),
    (a) => registerDepositRoutes(a, { deposits: ctx.deposits, apiKeys: ctx.config.api.keys }),
    (a) => callbackRoute(a, ctx),
  ];
}

function dashboard(a: FastifyInstance, ctx: ApiRoutesContext) {
  const { config, store, opsQueues } = ctx;
  return registerDashboard(a, {
    // Without NOTIFY_URL nothing works the notifications queue: the board would show "No workers".
    queues: {
      payouts: ctx.payoutQueue,
      others: config.notify ? opsQueues : opsQueues.filter((q) => q.name !== NOTIFICATIONS_QUEUE),
    },
    describePayout: async (id) => {
      const r = await store.get(id);
      return r && `${r.status}${r.reason ? `: ${r.reason}` : ''}`;
    },
    login: async (user, password) => (await ctx.authenticate(user, password)) !== undefined,
    secrets: secretsOf(config),
  });
}

function batchRoutes(a: FastifyInstance, ctx: ApiRoutesContext) {
  const { config } = ctx;
  return registerBatchRoutes(a, {
    batches: createBatches({
      producer: ctx.producer,
      redis: ctx.redis,
      keys: payoutKeys(config.queuePrefix),
      maxPayouts: config.batch.maxPayouts,
    }),
    apiKeys: config.api.keys,
    bodyLimitBytes: config.batch.bodyLimitBytes,
    maxPayouts: config.batch.maxPayouts,
    reader: ctx.guards.reader,
  });
}

function consoleRoutes(a: FastifyInstance, ctx: ApiRoutesContext) {
  const { config, store, producer, holdControls } = ctx;
  return registerConsole(a, {
    authenticate: ctx.authenticate,
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
    actions: ctx.actions,
    notifications: config.notify ? createDeliveryReader(ctx.notificationsQueue) : undefined,
    currencies: config.currencies,
    redis: ctx.redis,
    queuePrefix: config.queuePrefix,
    sessionSecret: sessionSecret(config.payloadKeys),
    ...config.console,
  });
}

function controlsRoutes(a: FastifyInstance, ctx: ApiRoutesContext) {
  const { holdControls } = ctx;
  return registerControlsRoutes(a, {
    controls: ctx.controls,
    guards: ctx.guards,
    currencies: ctx.config.currencies,
    sections: { paused: holdControls.pauses.list, breakers: holdControls.breakers.list },
  });
}

function callbackRoute(a: FastifyInstance, ctx: ApiRoutesContext) {
  const { config } = ctx;
  return registerCallbackRoute(a, {
    store: ctx.store,
    redis: ctx.redis,
    salt: config.gateway.callbackSalt,
    logger: ctx.log,
    onDepositReport: ctx.deposits.applyReport,
    onResult: ctx.metrics.callback,
    onContradiction: ctx.onContradiction('payout'),
    currencies: config.currencies,
    ...(ctx.archive ? { archive: ctx.archive } : {}),
    notify: config.notify !== undefined,
  });
}
