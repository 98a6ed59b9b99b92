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
import { publishDeployment } from './payout/deployment.js';
import { payoutKeys } from './payout/keys.js';
import { createPayoutStore, type PayoutStore } from './payout/store.js';
import { createProducer, type Producer } from './producer/producer.js';
import { createPayoutQueue, type PayoutJobData } from './queues.js';
import { type ConnectOptions, connectRedis, waitUntilReady } from './redis.js';
import { startSandboxPart } from './sandbox-part.js';
import { listenOn, reachRedis } from './start-checks.js';
import { startWorkers } from './worker-part.js';

/**
 * Assembles the system's parts from a Config. `payouts all` starts every part in one process;
 * `payouts api`, `payouts worker` and `payouts sandbox` start one each, and any number of worker
 * processes may run side by side.
 */

export type Part = 'api' | 'worker' | 'sandbox';

export { startSandboxOnly } from './sandbox-part.js';

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

  if (parts.includes('sandbox'))
    urls.sandbox = await startSandboxPart(config, log, closers, connect('request'));

  const core = await startCore(config, log, closers, connect, metrics);
  if (parts.includes('api') || parts.includes('worker'))
    await publishOutboxes(config, parts, core.requestRedis, log);
  const shared = { config, log, closers, metrics, onContradiction };
  const workers = parts.includes('worker') ? await startWorkers({ ...shared, ...core, connect }) : undefined;
  const worker = workers?.worker;
  // The worker-role connection the record's scripts run on: readiness asks its state.
  const asked = workers ? [workers.storeConnection] : [];
  const ready = readiness([core.requestRedis, core.requestStoreRedis], asked, worker);

  let app: FastifyInstance | undefined;
  if (parts.includes('api')) {
    const api = await startApi({ ...shared, ...core, ...apiInputs(core), ready });
    app = api.app;
    Object.assign(urls, api.urls);
  } else if (worker && config.metricsPort !== undefined) {
    urls.metrics = await startProbe(config, config.metricsPort, log, closers, ready, metrics);
  }

  const { store, producer, payoutQueue, gateway, holdControls } = core;
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

/** The service's notifications and ledger, published for the CLI and the library to follow. */
async function publishOutboxes(config: Config, parts: Part[], redis: Redis, log: Logger): Promise<void> {
  const own = { notify: config.notify !== undefined, ledger: config.ledger !== undefined };
  await publishDeployment(
    redis,
    payoutKeys(config.queuePrefix).deployment,
    { ...own, part: parts.join('+') },
    log,
  );
}

/** What the API reads from the core under its own names. */
function apiInputs(core: Awaited<ReturnType<typeof startCore>>) {
  return {
    redis: core.requestRedis,
    controls: core.holdControls,
    ledgerDb: core.ledger?.db,
    archive: core.ledger?.reader,
  };
}

/**
 * What every part shares: the request connections, the ledger (when on), the payout store, the
 * queue, the controls, the producer and the gateway client.
 */
async function startCore(
  config: Config,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  connect: (role: 'worker' | 'request', options?: ConnectOptions) => Redis,
  metrics: Metrics,
) {
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
  const storeOn = storeFactory(config, log, metrics, ledger !== undefined);
  const store = storeOn(requestStoreRedis);
  // A Redis that cannot give REDIS_DURABILITY=fsync stops the start here, with the setting to change.
  await store.durability.verify(log, { sandbox: config.gateway.sandbox });
  const payoutQueue = createPayoutQueue(requestRedis, config.queuePrefix);
  closers.push(() => payoutQueue.close());
  // The connection's own listener logs outages once; without one BullMQ prints every error.
  payoutQueue.on('error', () => undefined);
  const controlsOn = controlsFactory(config, log, metrics);
  const holdControls = controlsOn(requestRedis, payoutQueue);
  const producer = createProducer({
    store,
    queue: payoutQueue,
    logger: log,
    currencies: config.currencies,
    ...(ledger ? { archive: ledger.reader } : {}),
    // Read on the store's auto-pipelined connection: a new payout's hold goes in the create's write.
    holdOf: createHoldReader(controlsOn(requestStoreRedis, payoutQueue)),
  });
  const gateway = createGatewayClient(
    gatewayClientOptions(config, { logger: log, onResult: metrics.gatewayRequest }),
  );
  closers.push(async () => gateway.close());

  return {
    requestRedis,
    requestStoreRedis,
    ledger,
    storeOn,
    store,
    payoutQueue,
    controlsOn,
    holdControls,
    producer,
    gateway,
  };
}

/** The payout store on a given connection, as every part makes it. */
const storeFactory =
  (config: Config, log: Logger, metrics: Metrics, ledger: boolean) =>
  (redis: Redis): PayoutStore =>
    createPayoutStore({
      redis,
      queuePrefix: config.queuePrefix,
      payloadKeys: config.payloadKeys,
      logger: log,
      notify: config.notify !== undefined,
      ledger,
      onTransition: metrics.transition,
      durability: config.durability,
      currencies: config.currencies,
    });

/** The pauses and circuit breakers on a given connection and queue, as every part makes them. */
const controlsFactory =
  (config: Config, log: Logger, metrics: Metrics) =>
  (redis: Redis, queue: Queue<PayoutJobData>): { pauses: Pauses; breakers: Breakers } => ({
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

/**
 * The readiness probe: fail-fast connections are pinged; a worker-role one would wait out an outage
 * instead of answering, so its connection state is asked instead.
 */
function readiness(pinged: Redis[], asked: Redis[], worker: Worker<PayoutJobData> | undefined): Readiness {
  return async () => {
    const pings = await Promise.all(
      pinged.map((r) =>
        r.ping().then(
          (res) => res === 'PONG',
          () => false,
        ),
      ),
    );
    const redisOk = pings.every(Boolean) && asked.every((r) => r.status === 'ready');
    const checks: Record<string, boolean> = { redis: redisOk };
    if (worker) checks.workers = worker.isRunning();
    return { ok: Object.values(checks).every(Boolean), checks };
  };
}

/** A worker process without the API serves /metrics, /healthz and /readyz on METRICS_PORT. */
async function startProbe(
  config: Config,
  port: number,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  ready: Readiness,
  metrics: Metrics,
): Promise<string> {
  const probe = buildProbeServer({
    logger: log,
    ready,
    plugins: [(p) => registerMetricsRoute(p, metrics)],
  });
  closers.unshift(() => probe.close());
  const listening = { port, host: config.host };
  return `${await listenOn('METRICS_PORT', listening, () => probe.listen(listening))}/metrics`;
}
