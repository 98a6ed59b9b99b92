import { Counter, Gauge } from 'prom-client';
import type { Scrape } from './metrics-scrape.js';

/**
 * The controls (src/controls) as metrics: pauses, payouts a pause holds and each circuit breaker,
 * read at each scrape; the breakers' changes counted where they happen.
 */

/** What the metrics read of the controls (src/controls): pauses, breakers, payouts a pause holds. */
export interface ObservedControls {
  pauses(): Promise<{ payment_system: string }[]>;
  breakers(): Promise<{ payment_system: string; state: string; consecutive_failures: number }[]>;
  heldCount(): Promise<number>;
}

export function controlMetrics(prefix: string, scrape: Scrape) {
  let controls: ObservedControls | undefined;
  const gauges = controlGauges(prefix, scrape);
  const breakerChanges = new Counter({
    name: `${prefix}breaker_changes_total`,
    help: 'Circuit breaker changes per payment_system: opened, reopened (a probe found no answer), closed.',
    labelNames: ['payment_system', 'change'] as const,
    registers: scrape.registers,
  });

  return {
    observe(c: ObservedControls): void {
      controls = c;
    },
    read: (): Promise<void> | undefined => (controls ? readControls(controls, gauges, scrape) : undefined),
    breakerChange(paymentSystem: string, change: 'opened' | 'reopened' | 'closed'): void {
      breakerChanges.inc({ payment_system: paymentSystem, change });
    },
  };
}

type ControlGauges = ReturnType<typeof controlGauges>;

function controlGauges(prefix: string, scrape: Scrape) {
  const { registers } = scrape;
  const paused = new Gauge({
    name: `${prefix}payment_system_paused`,
    help: '1 for each payment_system paused by an operator (`*`: every one); its payouts are not sent.',
    labelNames: ['payment_system'] as const,
    registers,
    collect: () => scrape.refresh(),
  });
  const heldByPause = new Gauge({
    name: `${prefix}held_by_pause`,
    help: 'Payouts a pause holds (due, found paused by a worker, not yet woken by a resume).',
    registers,
    collect: () => scrape.refresh(),
  });
  const breakerState = new Gauge({
    name: `${prefix}breaker_state`,
    help: "A payment_system's circuit breaker: 1 on its current state (closed, open, half_open).",
    labelNames: ['payment_system', 'state'] as const,
    registers,
    collect: () => scrape.refresh(),
  });
  const breakerFailures = new Gauge({
    name: `${prefix}breaker_consecutive_failures`,
    help: 'Attempts in a row that reached no answer, per payment_system (the breaker opens at BREAKER_THRESHOLD).',
    labelNames: ['payment_system'] as const,
    registers,
    collect: () => scrape.refresh(),
  });
  return { paused, heldByPause, breakerState, breakerFailures };
}

async function readControls(c: ObservedControls, g: ControlGauges, scrape: Scrape): Promise<void> {
  const [pauses, breakers, held] = await Promise.allSettled([
    scrape.within(c.pauses()),
    scrape.within(c.breakers()),
    scrape.within(c.heldCount()),
  ]);
  g.paused.reset();
  g.breakerState.reset();
  g.breakerFailures.reset();
  if (pauses.status === 'rejected') scrape.failed('controls', pauses.reason);
  else for (const p of pauses.value) g.paused.set({ payment_system: p.payment_system }, 1);
  if (breakers.status === 'rejected') scrape.failed('controls', breakers.reason);
  else {
    for (const b of breakers.value) {
      for (const state of ['closed', 'open', 'half_open']) {
        g.breakerState.set({ payment_system: b.payment_system, state }, b.state === state ? 1 : 0);
      }
      g.breakerFailures.set({ payment_system: b.payment_system }, b.consecutive_failures);
    }
  }
  if (held.status === 'rejected') scrape.failed('controls', held.reason);
  else g.heldByPause.set(held.value);
}
