import { Gauge } from 'prom-client';
import type { Scrape } from './metrics-scrape.js';

/** Jobs in each BullMQ queue by state, read at each scrape. */

/** What the metrics read of a BullMQ queue. */
export type ObservedQueue = { readonly name: string; getJobCounts(): Promise<Record<string, number>> };

export function queueMetrics(prefix: string, scrape: Scrape) {
  const queues: ObservedQueue[] = [];
  const queueJobs = new Gauge({
    name: `${prefix}queue_jobs`,
    help: 'Jobs in each BullMQ queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers: scrape.registers,
    collect: () => scrape.refresh(),
  });

  return {
    observe(more: readonly ObservedQueue[]): void {
      for (const q of more) if (!queues.includes(q)) queues.push(q);
    },
    async read(): Promise<void> {
      const results = await Promise.allSettled(queues.map((q) => scrape.within(q.getJobCounts())));
      // A fresh snapshot each scrape: a queue that cannot be read disappears rather than showing the
      // numbers of its last good read as if they were current.
      queueJobs.reset();
      for (const [i, res] of results.entries()) {
        const queue = queues[i]!.name;
        if (res.status === 'rejected') scrape.failed('queues', res.reason);
        else
          for (const [state, n] of Object.entries(res.value)) queueJobs.set({ queue, state }, Number(n) || 0);
      }
    },
  };
}
