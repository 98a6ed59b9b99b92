import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { payoutKeys } from '../payout/keys.js';
import { refusedKey } from './refused.js';
import type { LedgerOutboxEntry, LedgerWriteResult } from './writer.js';

/**
 * The ledger's metrics, on the system's registry. The lag is read from Redis at each scrape, so any
 * process serving /metrics reports it, whichever process writes: the age of the oldest change not yet
 * in PostgreSQL (0 when the outbox is empty) and the number waiting. The runbook's alert watches the lag.
 */
const READ_TIMEOUT_MS = 2_000;

export function registerLedgerMetrics(registry: Registry, redis: Redis, queuePrefix: string) {
  const outbox = payoutKeys(queuePrefix).ledgerOutbox;
  // A scrape while Redis is down leaves the gauges as they were rather than failing or hanging.
  const read = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), READ_TIMEOUT_MS).unref());
    return Promise.race([fn().catch(() => undefined), timeout]);
  };
  new Gauge({
    name: 'payouts_ledger_outbox_entries',
    help: 'Changes of payouts and deposits waiting in Redis to be written to the ledger.',
    registers: [registry],
    async collect() {
      const length = await read(() => redis.llen(outbox));
      if (length !== undefined) this.set(length);
    },
  });
  new Gauge({
    name: 'payouts_ledger_refused_entries',
    help: 'Outbox entries whose rows the database refused (or that cannot be read): moved aside and tried again until written. Above 0 needs a person.',
    registers: [registry],
    async collect() {
      const length = await read(() => redis.llen(refusedKey(outbox)));
      if (length !== undefined) this.set(length);
    },
  });
  new Gauge({
    name: 'payouts_ledger_lag_seconds',
    help: 'Age of the oldest change waiting in the outbox for the ledger (0 when none waits; refused ones apart).',
    registers: [registry],
    async collect() {
      const head = await read(() => redis.lindex(outbox, 0));
      if (head === undefined) return;
      const at = head === null ? undefined : (JSON.parse(head) as LedgerOutboxEntry).at;
      this.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000));
    },
  });
}

/** Counters of the writer, recorded where it runs. */
export function ledgerWriteCounter(registry: Registry) {
  const counter = new Counter({
    name: 'payouts_ledger_writes_total',
    help: 'Outbox entries written to the ledger (result=written), entries refused by the database and moved aside (result=refused), and failed write attempts (result=failed).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return (result: LedgerWriteResult, entries: number) =>
    counter.inc({ result }, result === 'failed' ? 1 : entries);
}
