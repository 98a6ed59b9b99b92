import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { CallbackResult } from '../feedback/callbacks.js';
import type { Logger } from '../logger.js';
import { controlMetrics, type ObservedControls } from './control-metrics.js';
import { eventMetrics } from './event-metrics.js';
import { createScrape } from './metrics-scrape.js';
import { type ObservedQueue, queueMetrics } from './queue-metrics.js';
import { type ObservedStore, recordMetrics } from './record-metrics.js';

export type { ObservedControls } from './control-metrics.js';
export { GATEWAY_DURATION_BUCKETS } from './event-metrics.js';
export type { ObservedQueue } from './queue-metrics.js';
export type { ObservedStore } from './record-metrics.js';

/**
 * Prometheus metrics. Each `createMetrics()` has a registry of its own (never prom-client's global
 * one), so several systems, or several tests, live side by side in one process. Counters are
 * recorded by the code that sees the event; gauges of queue depth and payout states are read from
 * Redis when Prometheus scrapes, and a scrape while Redis is down leaves them out instead of failing.
 * Each family in a file of its own: the events (event-metrics.ts), the queues (queue-metrics.ts), the
 * records (record-metrics.ts), the controls (control-metrics.ts); their one read per scrape in
 * metrics-scrape.ts.
 */

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

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const prefix = opts.prefix ?? 'payouts_';
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // The families in this order, which is their order on /metrics: the scrape's own errors, the
  // events, then what each scrape reads of the queues, the store and the controls.
  const scrape = createScrape({
    prefix,
    registers: [registry],
    timeoutMs: opts.collectTimeoutMs ?? 2_000,
    logger: opts.logger,
    reads: () => [queues.read(), records.read(), controls.read()],
  });
  const events = eventMetrics(prefix, scrape.registers);
  const queues = queueMetrics(prefix, scrape);
  const records = recordMetrics(prefix, scrape, opts.now ?? Date.now);
  const controls = controlMetrics(prefix, scrape);

  return {
    registry,
    ...events,
    observeQueues: queues.observe,
    observeStore: records.observe,
    observeControls: controls.observe,
    breakerChange: controls.breakerChange,
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
