import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallbackResult } from '../feedback/callbacks.js';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';

/**
 * Prometheus metrics. Each `createMetrics()` has a registry of its own (never prom-client's global
 * one), so several systems, or several tests, live side by side in one process. Counters are
 * recorded by the code that sees the event; gauges of queue depth and payout states are read from
 * Redis when Prometheus scrapes, and a scrape while Redis is down leaves them out instead of failing.
 */

/** What the metrics read of a BullMQ queue. */
export type ObservedQueue = { readonly name: string; getJobCounts(): Promise<Record<string, number>> };
/** What the metrics read of the payout store. */
export type ObservedStore = Pick<PayoutStore, 'counts' | 'list'>;
/** What the metrics read of the controls (src/controls): pauses, breakers, payouts a pause holds. */
export interface ObservedControls {
  pauses(): Promise<{ payment_system: string }[]>;
  breakers(): Promise<{ payment_system: string; state: string; consecutive_failures: number }[]>;
  heldCount(): Promise<number>;
}

export interface MetricsOptions {
  /** Prefix of this module's metric names (Node's default metrics keep their usual names). @defaultValue 'payouts_' */
  prefix?: string;
  /** How long one scrape waits for Redis before leaving a gauge out. @defaultValue 2000 */
  collectTimeoutMs?: number;
  /** Collection failures are logged at debug level only: a down Redis is reported elsewhere. */
  logger?: Logger;
  now?: () => number;
}

export interface Metrics {
  readonly registry: Registry;
  /** A payout's state changed; `from` is null when it was created. */
  transition(from: string | null, to: string, method: string): void;
  /** One request to the gateway finished, whatever its outcome. */
  gatewayRequest(endpoint: string, outcome: string, durationMs: number): void;
  callback(result: CallbackResult): void;
  /** A gateway report contradicted a terminal state. */
  contradiction(kind: 'payout' | 'deposit'): void;
  notification(result: 'delivered' | 'failed'): void;
  /** Adds queues whose job counts by state are read at each scrape. */
  observeQueues(queues: readonly ObservedQueue[]): void;
  /** The store whose payout counts by state, and oldest needs_review, are read at each scrape. */
  observeStore(store: ObservedStore): void;
  /** The controls whose pauses and breakers are read at each scrape. */
  observeControls(controls: ObservedControls): void;
  /** A payment_system's circuit breaker opened, opened again after a failed probe, or closed. */
  breakerChange(paymentSystem: string, change: 'opened' | 'reopened' | 'closed'): void;
}

/** Gateway latency from 5 ms to a minute (the read timeout is 30 s by default). */
export const GATEWAY_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/** Rejects when `promise` has not settled within `ms`: a worker connection waits out an outage forever. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const prefix = opts.prefix ?? 'payouts_';
  const timeoutMs = opts.collectTimeoutMs ?? 2_000;
  const now = opts.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const queues: ObservedQueue[] = [];
  let store: ObservedStore | undefined;
  let controls: ObservedControls | undefined;

  const collectErrors = new Counter({
    name: `${prefix}metrics_collect_errors_total`,
    help: 'Reads of Redis for a gauge that failed or timed out during a scrape.',
    labelNames: ['source'] as const,
    registers,
    collect: () => refresh(),
  });
  const failed = (source: string, err: unknown) => {
    collectErrors.inc({ source });
    opts.logger?.debug(
      { source, err: { message: err instanceof Error ? err.message : String(err) } },
      'metrics: could not read from Redis',
    );
  };

  const transitions = new Counter({
    name: `${prefix}transitions_total`,
    help: 'Payout state changes.',
    labelNames: ['from', 'to', 'method'] as const,
    registers,
  });
  const gatewayDuration = new Histogram({
    name: `${prefix}gateway_request_duration_seconds`,
    help: 'Duration of requests to the gateway, by endpoint and outcome.',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: GATEWAY_DURATION_BUCKETS,
    registers,
  });
  const callbacks = new Counter({
    name: `${prefix}callbacks_total`,
    help: 'Gateway callbacks received, by result.',
    labelNames: ['result'] as const,
    registers,
  });
  const contradictions = new Counter({
    name: `${prefix}contradictions_total`,
    help: 'Gateway reports that contradicted the payout (a terminal state, another payout, a second order): recorded, never applied.',
    labelNames: ['kind'] as const,
    registers,
  });
  const notifications = new Counter({
    name: `${prefix}notifications_total`,
    help: 'Notification deliveries to the casino backend, by result.',
    labelNames: ['result'] as const,
    registers,
  });

  const queueJobs = new Gauge({
    name: `${prefix}queue_jobs`,
    help: 'Jobs in each BullMQ queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers,
    collect: () => refresh(),
  });
  const records = new Gauge({
    name: `${prefix}records`,
    help: 'Payout records by state.',
    labelNames: ['state'] as const,
    registers,
    collect: () => refresh(),
  });
  const reviewAge = new Gauge({
    name: `${prefix}needs_review_oldest_age_seconds`,
    help: 'Age of the oldest payout in needs_review (0 when there is none); its count is records{state="needs_review"}.',
    registers,
    collect: () => refresh(),
  });

  const paused = new Gauge({
    name: `${prefix}payment_system_paused`,
    help: '1 for each payment_system paused by an operator (`*`: every one); its payouts are not sent.',
    labelNames: ['payment_system'] as const,
    registers,
    collect: () => refresh(),
  });
  const heldByPause = new Gauge({
    name: `${prefix}held_by_pause`,
    help: 'Payouts a pause holds (due, found paused by a worker, not yet woken by a resume).',
    registers,
    collect: () => refresh(),
  });
  const breakerState = new Gauge({
    name: `${prefix}breaker_state`,
    help: "A payment_system's circuit breaker: 1 on its current state (closed, open, half_open).",
    labelNames: ['payment_system', 'state'] as const,
    registers,
    collect: () => refresh(),
  });
  const breakerFailures = new Gauge({
    name: `${prefix}breaker_consecutive_failures`,
    help: 'Attempts in a row that reached no answer, per payment_system (the breaker opens at BREAKER_THRESHOLD).',
    labelNames: ['payment_system'] as const,
    registers,
    collect: () => refresh(),
  });
  const breakerChanges = new Counter({
    name: `${prefix}breaker_changes_total`,
    help: 'Circuit breaker changes per payment_system: opened, reopened (a probe found no answer), closed.',
    labelNames: ['payment_system', 'change'] as const,
    registers,
  });

  async function readControls(c: ObservedControls): Promise<void> {
    const [pauses, breakers, held] = await Promise.allSettled([
      within(c.pauses(), timeoutMs),
      within(c.breakers(), timeoutMs),
      within(c.heldCount(), timeoutMs),
    ]);
    paused.reset();
    breakerState.reset();
    breakerFailures.reset();
    if (pauses.status === 'rejected') failed('controls', pauses.reason);
    else for (const p of pauses.value) paused.set({ payment_system: p.payment_system }, 1);
    if (breakers.status === 'rejected') failed('controls', breakers.reason);
    else {
      for (const b of breakers.value) {
        for (const state of ['closed', 'open', 'half_open']) {
          breakerState.set({ payment_system: b.payment_system, state }, b.state === state ? 1 : 0);
        }
        breakerFailures.set({ payment_system: b.payment_system }, b.consecutive_failures);
      }
    }
    if (held.status === 'rejected') failed('controls', held.reason);
    else heldByPause.set(held.value);
  }

  async function readQueues(): Promise<void> {
    const results = await Promise.allSettled(queues.map((q) => within(q.getJobCounts(), timeoutMs)));
    // A fresh snapshot each scrape: a queue that cannot be read disappears rather than showing the
    // numbers of its last good read as if they were current.
    queueJobs.reset();
    for (const [i, res] of results.entries()) {
      const queue = queues[i]!.name;
      if (res.status === 'rejected') failed('queues', res.reason);
      else
        for (const [state, n] of Object.entries(res.value)) queueJobs.set({ queue, state }, Number(n) || 0);
    }
  }

  async function readStore(s: ObservedStore): Promise<void> {
    const [counts, oldest] = await Promise.allSettled([
      within(s.counts(), timeoutMs),
      within(s.list('needs_review', { limit: 1 }), timeoutMs),
    ]);
    records.reset();
    if (counts.status === 'rejected') failed('store', counts.reason);
    // The counts come from a pipeline, which can answer zeros for commands that never reached
    // Redis; they are only trusted when the other read of the same Redis succeeded too.
    else if (oldest.status === 'fulfilled') {
      for (const [state, n] of Object.entries(counts.value)) records.set({ state }, n);
    }
    if (oldest.status === 'fulfilled') {
      const since = oldest.value[0]?.since;
      reviewAge.set(since === undefined ? 0 : Math.max(0, (now() - since) / 1000));
    } else {
      // Kept at its last value: an unlabelled gauge cannot be left out, and 0 would say "none".
      failed('store', oldest.reason);
    }
  }

  /**
   * One read of Redis per scrape, shared by every gauge (and by the error counter, so a scrape
   * reports its own failures): prom-client collects all metrics of a scrape at once.
   */
  let inflight: Promise<void> | undefined;
  function refresh(): Promise<void> {
    inflight ??= Promise.all([
      readQueues(),
      store ? readStore(store) : undefined,
      controls ? readControls(controls) : undefined,
    ])
      .then(() => undefined)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  return {
    registry,
    transition: (from, to, method) => transitions.inc({ from: from ?? 'none', to, method }),
    gatewayRequest(endpoint, outcome, durationMs) {
      if (Number.isFinite(durationMs) && durationMs >= 0) {
        gatewayDuration.observe({ endpoint, outcome }, durationMs / 1000);
      }
    },
    callback: (result) => callbacks.inc({ result }),
    contradiction: (kind) => contradictions.inc({ kind }),
    notification: (result) => notifications.inc({ result }),
    observeQueues(more) {
      for (const q of more) if (!queues.includes(q)) queues.push(q);
    },
    observeStore(s) {
      store = s;
    },
    observeControls(c) {
      controls = c;
    },
    breakerChange: (paymentSystem, change) => breakerChanges.inc({ payment_system: paymentSystem, change }),
  };
}

/** `GET /metrics` in Prometheus's text format. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type(metrics.registry.contentType)
      .send(await metrics.registry.metrics()),
  );
}
