import { Counter, Histogram, type Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

/** Counters (and the gateway's latency) recorded by the code that sees the event, never read from Redis. */

/** Gateway latency from 5 ms to a minute (the read timeout is 30 s by default). */
export const GATEWAY_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export type EventMetrics = Pick<
  Metrics,
  'transition' | 'gatewayRequest' | 'callback' | 'contradiction' | 'notification'
>;

export function eventMetrics(prefix: string, registers: Registry[]): EventMetrics {
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

  return {
    transition: (from, to, method) => transitions.inc({ from: from ?? 'none', to, method }),
    gatewayRequest(endpoint, outcome, durationMs) {
      if (Number.isFinite(durationMs) && durationMs >= 0) {
        gatewayDuration.observe({ endpoint, outcome }, durationMs / 1000);
      }
    },
    callback: (result) => callbacks.inc({ result }),
    contradiction: (kind) => contradictions.inc({ kind }),
    notification: (result) => notifications.inc({ result }),
  };
}
