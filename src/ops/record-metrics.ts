import { Gauge } from 'prom-client';
import type { PayoutStore } from '../payout/store.js';
import type { Scrape } from './metrics-scrape.js';

/** Payout records by state, and the age of the oldest in needs_review, read from the store at each scrape. */

/** What the metrics read of the payout store. */
export type ObservedStore = Pick<PayoutStore, 'counts' | 'list'>;

export function recordMetrics(prefix: string, scrape: Scrape, now: () => number) {
  let store: ObservedStore | undefined;
  const records = new Gauge({
    name: `${prefix}records`,
    help: 'Payout records by state.',
    labelNames: ['state'] as const,
    registers: scrape.registers,
    collect: () => scrape.refresh(),
  });
  const reviewAge = new Gauge({
    name: `${prefix}needs_review_oldest_age_seconds`,
    help: 'Age of the oldest payout in needs_review (0 when there is none); its count is records{state="needs_review"}.',
    registers: scrape.registers,
    collect: () => scrape.refresh(),
  });

  async function readStore(s: ObservedStore): Promise<void> {
    const [counts, oldest] = await Promise.allSettled([
      scrape.within(s.counts()),
      scrape.within(s.list('needs_review', { limit: 1 })),
    ]);
    records.reset();
    if (counts.status === 'rejected') scrape.failed('store', counts.reason);
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
      scrape.failed('store', oldest.reason);
    }
  }

  return {
    observe(s: ObservedStore): void {
      store = s;
    },
    read: (): Promise<void> | undefined => (store ? readStore(store) : undefined),
  };
}
