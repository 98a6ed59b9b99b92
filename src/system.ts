import type { Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { startApi } from './api-part.js';
import { buildProbeServer, type Readiness } from './app.js';
import { type Config, secretsOf } from './config.js';
import { type Breakers, createBreakers } from './controls/breakers.js';
import { createHoldReader } from './controls/holds.js';
import { createPauses, type Pauses } from './controls/pauses.js';
import { createGatewayClient, type GatewayClient, gatewayClientOptions } from './gateway/client.js';
import { createLedgerPart } from './ledger/service.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics, registerMetricsRoute } from './ops/metrics.js';
import { createPayoutStore, type PayoutStore } from './payout/store.js';
import { createProducer, type Producer } from './producer/producer.js';
import { createPayoutQueue, type PayoutJobData } from './queues.js';
import { type ConnectOptions, checkEvictionPolicy, connectRedis, waitUntilReady } from './redis.js';
import { createRedisOrderStore, createSandbox, type Sandbox } from './sandbox/index.js';
import { listenOn, reachRedis } from './start-checks.js';
import { createMaintenance } from './worker/maintenance.js';
import { createNotifier } from './worker/notifier.js';
import { createPayoutWorker, payoutSendWindowMs } from './worker/payout-worker.js';

/**
 * Assembles the system's parts from a Config. `payouts all` starts every part in one process;
 * `payouts api`, `payouts worker` and `payouts sandbox` start one each, and any number of worker
 * processes may run side by side.
 */

export type Part = 'api' | 'worker' | 'sandbox';

export interface System {
  config: Config;
  logger: Logger;
  store: PayoutStore;
  producer: Producer;
  payoutQueue: Queue<PayoutJobData>;
  gateway: GatewayClient;
  metrics: Metrics;
  /** The kill switch and the circuit breakers (src/controls). */
  controls: { pauses: Pauses; breakers: Breakers };
  app?: FastifyInstance;
  worker?: Worker<PayoutJobData>;
  urls: Record<string, string>;
  /** Takes no new work, lets in-flight payouts finish, closes every connection. */
  close(): Promise<void>;
}

/** The sandbox gateway alone (`payouts sandbox`): no Redis, no workers. */
export async function startSandboxOnly(
  config: Config,
): Promise<{ logger: Logger; urls: Record<string, string>; close(): Promise<void> }> {
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  await reachRedis(config.redisUrl);
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'request', logger);
  try {
    await waitUntilReady(redis);
    const sandbox = sandboxFor(config, logger, redis);
    const close = async () => {
      await sandbox.close();
      redis.disconnect();
    };
    const url = await listenSandbox(config, sandbox).catch(async (err) => {
      await sandbox.close();
      throw err;
    });
    return { logger, urls: { sandbox: url }, close };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

const listenSandbox = (config: Config, sandbox: Sandbox) => {
  const host = config.host === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1';
  return listenOn('SANDBOX_PORT', { port: config.sandbox.port, host }, () =>
    sandbox.listen(config.sandbox.port, host),
  );
};

/** The sandbox keeps its orders in Redis under the deployment's prefix, so a restart strands no payout. */
const sandboxFor = (config: Config, logger: Logger, redis: Redis) =>
  createSandbox({
    orders: createRedisOrderStore(redis, config.queuePrefix),
    merchantKey: config.gateway.merchantKey,
    salt: config.gateway.salt,
    callbackSalt: config.gateway.callbackSalt,
    callbackUrl: config.sandbox.callbackUrl,
    timeScale: config.sandbox.timeScale,
    duplicates: config.sandbox.duplicates,
    currencies: config.currencies,
    logger: logger.child({ part: 'sandbox' }),
  });

export async function startSystem(config: Config, parts: Part[], logger?: Logger): Promise<System> {
  const log = logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  /** Run in order at close: the API and the worker first (unshifted), so in-flight work finishes. */
  const closers: (() => Promise<unknown>)[] = [];
  const redisConnections: Redis[] = [];
  const close = async () => {
    for (const c of closers) await c().catch((err) => log.error({ err }, 'error while closing'));
    for (const r of redisConnections) r.disconnect();
  };
  try {
    return { ...(await assemble(config, parts, log, closers, redisConnections)), close };
  } catch (err) {
    // A start that fails part-way (the port taken, Redis not answering) leaves nothing running: a
    // worker started before the failure would otherwise go on sending payouts in a process whose
    // start reported failure.
    await close();
    throw err;
  }
}

async function assemble(
  config: Config,
  parts: Part[],
  log: Logger,
  closers: (() => Promise<unknown>)[],
  redisConnections: Redis[],
): Promise<Omit<System, 'close'>> {
  const metrics = createMetrics({ logger: log });
  const onContradiction = (kind: 'payout' | 'deposit') => () => metrics.contradiction(kind);
  const urls: Record<string, string> = {};
  const connect = (role: 'worker' | 'request', options: ConnectOptions = {}) => {
    const r = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, role, log, options);
    redisConnections.push(r);
    return r;
  };

  // Before anything starts: an unreachable Redis is one line naming the URL, not a part started in vain.
  await reachRedis(config.redisUrl);

  if (parts.includes('sandbox')) {
    const sandboxRedis = connect('request');
    await waitUntilReady(sandboxRedis);
    const sandbox = sandboxFor(config, log, sandboxRedis);
    closers.push(() => sandbox.close());
    urls.sandbox = await listenSandbox(config, sandbox);
  }

  const requestRedis = connect('request');
  // The payout record's scripts get connections of their own, auto-pipelined (see ConnectOptions).
  const requestStoreRedis = connect('request', { autoPipeline: true });
  // The fail-fast connections refuse commands until ready: wait, so the first request is not a 503.
  await Promise.all([waitUntilReady(requestRedis), waitUntilReady(requestStoreRedis)]);
  const ledger = config.ledger
    ? createLedgerPart(config.ledger, {
        queuePrefix: config.queuePrefix,
        logger: log,
        registry: metrics.registry,
        metricsRedis: requestRedis,
      })
    : undefined;
  if (ledger) closers.push(() => ledger.close());
  const storeOn = (redis: Redis) =>
    createPayoutStore({
      redis,
      queuePrefix: config.queuePrefix,
      payloadKeys: config.payloadKeys,
      logger: log,
      notify: config.notify !== undefined,
      ledger: ledger !== undefined,
      onTransition: metrics.transition,
      durability: config.durability,
      currencies: config.currencies,
    });
  const store = storeOn(requestStoreRedis);
  // A Redis that cannot give REDIS_DURABILITY=fsync stops the start here, with the setting to change.
  await store.durability.verify(log, { sandbox: config.gateway.sandbox });
  /** The worker-role connections the record's scripts run on: readiness asks their state. */
  const storeConnections: Redis[] = [];
  const payoutQueue = createPayoutQueue(requestRedis, config.queuePrefix);
  closers.push(() => payoutQueue.close());
  // The connection's own listener logs outages once; without one BullMQ prints every error.
  payoutQueue.on('error', () => undefined);
  const controlsOn = (redis: Redis, queue: Queue<PayoutJobData>) => ({
    pauses: createPauses({
      redis,
      queuePrefix: config.queuePrefix,
      queue,
      logger: log,
      notify: config.notify !== undefined,
    }),
    breakers: createBreakers({
      redis,
      queuePrefix: config.queuePrefix,
      settings: config.breaker,
      logger: log,
      notify: config.notify !== undefined,
      onChange: metrics.breakerChange,
    }),
  });
  const holdControls = controlsOn(requestRedis, payoutQueue);
  const producer = createProducer({
    store,
    queue: payoutQueue,
    logger: log,
    currencies: config.currencies,
    ...(ledger ? { archive: ledger.reader } : {}),
    holdOf: createHoldReader(holdControls),
  });
  const gateway = createGatewayClient(
    gatewayClientOptions(config, { logger: log, onResult: metrics.gatewayRequest }),
  );
  closers.push(async () => gateway.close());

  let worker: Worker<PayoutJobData> | undefined;
  if (parts.includes('worker')) {
    const workerRedis = connect('worker');
    await checkEvictionPolicy(workerRedis, log);
    // The worker writes through a connection that waits out Redis outages, auto-pipelined (see
    // ConnectOptions for the one case it cannot wait out).
    const workerStoreRedis = connect('worker', { autoPipeline: true });
    storeConnections.push(workerStoreRedis);
    const workerStore = storeOn(workerStoreRedis);
    const maintenanceQueue = createPayoutQueue(workerRedis, config.queuePrefix);
    maintenanceQueue.on('error', () => undefined);
    const workerControls = controlsOn(workerStoreRedis, maintenanceQueue);
    worker = createPayoutWorker({
      connection: workerRedis,
      queuePrefix: config.queuePrefix,
      store: workerStore,
      gateway,
      logger: log,
      policy: {
        maxAttempts: config.worker.maxAttempts,
        baseDelayMs: config.worker.retryBaseDelayMs,
        maxDelayMs: config.worker.retryMaxDelayMs,
        resendOnUnknown: config.gateway.resendOnUnknown,
      },
      concurrency: config.worker.concurrency,
      currencies: config.currencies,
      lockMs: config.worker.lockMs,
      rateLimitPerSecond: config.gateway.rateLimitPerSecond,
      onContradiction: onContradiction('payout'),
      sendWindowMs: payoutSendWindowMs({
        ...config.gateway,
        durabilityTimeoutMs: config.durability.timeoutMs,
      }),
      controls: {
        isPaused: workerControls.pauses.isPaused,
        attempted: workerControls.breakers.attempted,
      },
    });
    const maintenance = createMaintenance({
      connection: workerRedis,
      queuePrefix: config.queuePrefix,
      store: workerStore,
      payoutQueue: maintenanceQueue,
      logger: log,
      gateway,
      sweepEveryMs: 60_000,
      sweep: { queuedGraceMs: 30_000, sendingGraceMs: config.gateway.timeoutMs + 60_000 },
      reconcileEveryMs: config.reconcile.intervalMs,
      reconcile: { afterMs: config.reconcile.afterMs, reviewDeadlineMs: config.reconcile.reviewDeadlineMs },
      approvalTimeoutMs: config.approvalTimeoutMs,
      lockMs: config.worker.lockMs,
      onContradiction: onContradiction('payout'),
    });
    const notifier = config.notify
      ? createNotifier({
          connection: workerRedis,
          queuePrefix: config.queuePrefix,
          store: workerStore,
          logger: log,
          url: config.notify.url,
          secret: config.notify.secret,
          lockMs: config.worker.lockMs,
          onDelivery: metrics.notification,
        })
      : undefined;
    // The ledger's writer and archiver close with the ledger (after the worker, so its last changes go).
    ledger?.startWorkers(workerStoreRedis);
    const w = worker;
    closers.unshift(async () => {
      // Stop taking jobs and wait for the ones in flight before anything else closes.
      await w.close();
      await maintenance.close();
      await notifier?.close();
      await maintenanceQueue.close();
    });
    // Closed from here on whatever fails next: a start that fails must leave nothing running.
    void worker.run();
    await maintenance.start();
    notifier?.start();
  }

  const ready: Readiness = async () => {
    // Fail-fast connections are pinged; a worker-role one would wait out an outage instead of
    // answering, so its connection state is asked instead.
    const pings = await Promise.all(
      [requestRedis, requestStoreRedis].map((r) =>
        r.ping().then(
          (res) => res === 'PONG',
          () => false,
        ),
      ),
    );
    const redisOk = pings.every(Boolean) && storeConnections.every((r) => r.status === 'ready');
    const checks: Record<string, boolean> = { redis: redisOk };
    if (worker) checks.workers = worker.isRunning();
    return { ok: Object.values(checks).every(Boolean), checks };
  };

  let app: FastifyInstance | undefined;
  if (parts.includes('api')) {
    const api = await startApi({
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
      ledgerDb: ledger?.db,
      ready,
      onContradiction,
    });
    app = api.app;
    Object.assign(urls, api.urls);
  } else if (worker && config.metricsPort !== undefined) {
    const probe = buildProbeServer({
      logger: log,
      ready,
      plugins: [(p) => registerMetricsRoute(p, metrics)],
    });
    closers.unshift(() => probe.close());
    const listening = { port: config.metricsPort, host: config.host };
    urls.metrics = `${await listenOn('METRICS_PORT', listening, () => probe.listen(listening))}/metrics`;
  }

  return {
    config,
    logger: log,
    store,
    producer,
    payoutQueue,
    gateway,
    metrics,
    controls: holdControls,
    ...(app ? { app } : {}),
    ...(worker ? { worker } : {}),
    urls,
  };
}
