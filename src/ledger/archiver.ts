import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { archivePayout } from '../payout/archive.js';
import { payoutKeys } from '../payout/keys.js';
import { TERMINAL_STATES } from '../payout/states.js';
import type { LedgerDb } from './db.js';

/**
 * Archival: a finished payout whose last change is older than the retention leaves Redis, but only
 * once the ledger holds every one of its changes (seq 1..n, and a current row at seq n), checked just
 * before; the Redis side (payout/archive.ts) refuses if the payout changed since. Keeps Redis bounded
 * by live work plus small tombstones.
 */

const PAGE = 200;
/** At most this many payouts per state and run, so one run stays short whatever the backlog. */
const MAX_PER_RUN = 5_000;

export function createLedgerArchiver(deps: {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  retentionMs: number;
  now?: () => number;
}) {
  const keys = payoutKeys(deps.queuePrefix);
  const now = deps.now ?? Date.now;

  /** The ids of `ids` whose every change up to `seqs[id]` is in the ledger. */
  async function heldWhole(ids: string[], seqs: Map<string, number>): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const counts = await deps.db
      .selectFrom('payout_transitions')
      .select(['external_id', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('seq').as('max')])
      .where('external_id', 'in', ids)
      .groupBy('external_id')
      .execute();
    const currents = await deps.db
      .selectFrom('payouts')
      .select(['external_id', 'seq'])
      .where('external_id', 'in', ids)
      .execute();
    const currentSeq = new Map(currents.map((r) => [r.external_id, r.seq]));
    const held = new Set<string>();
    for (const c of counts) {
      const seq = seqs.get(c.external_id);
      if (
        seq !== undefined &&
        Number(c.n) === seq &&
        Number(c.max) === seq &&
        currentSeq.get(c.external_id) === seq
      )
        held.add(c.external_id);
    }
    return held;
  }

  /** Sets or clears the archival mark the list route reads archived payouts by (archived-page.ts). */
  async function markArchived(ids: string[], archived: boolean): Promise<void> {
    if (ids.length === 0) return;
    await deps.db
      .updateTable('payouts')
      .set({ archived_at: archived ? new Date() : null })
      .where('external_id', 'in', ids)
      .execute();
  }

  /** One pass over the finished payouts past the retention; returns how many were archived. */
  async function archiveOnce(): Promise<{ archived: number; waiting: number }> {
    const cutoff = now() - deps.retentionMs;
    let archived = 0;
    let waiting = 0;
    for (const state of TERMINAL_STATES) {
      // Pages by offset: payouts the ledger does not hold yet stay in place and are stepped over.
      for (let offset = 0; offset < MAX_PER_RUN; ) {
        const page = await deps.redis.zrangebyscore(
          keys.stateIndex(state),
          '-inf',
          cutoff,
          'LIMIT',
          offset,
          PAGE,
        );
        if (page.length === 0) break;
        const pipeline = deps.redis.pipeline();
        for (const id of page) pipeline.hget(keys.record(id), 'seq');
        const res = (await pipeline.exec()) ?? [];
        const seqs = new Map<string, number>();
        page.forEach((id, i) => {
          const v = res[i]?.[1];
          if (typeof v === 'string') seqs.set(id, Number(v));
        });
        const held = await heldWhole(page, seqs);
        // Marked archived before Redis lets go, so the list never loses it in between; a payout
        // marked but kept (it changed since the check) is listed from Redis, at the same place.
        await markArchived([...held], true);
        let moved = 0;
        const kept: string[] = [];
        for (const id of page) {
          const seq = seqs.get(id);
          if (
            seq !== undefined &&
            held.has(id) &&
            (await archivePayout(deps.redis, deps.queuePrefix, id, state, seq))
          ) {
            moved++;
          } else {
            waiting++;
            if (held.has(id)) kept.push(id);
          }
        }
        await markArchived(kept, false);
        archived += moved;
        offset += page.length - moved;
        if (page.length < PAGE) break;
      }
    }
    if (archived > 0 || waiting > 0)
      deps.logger.info(
        { archived, waiting_for_ledger: waiting },
        'ledger: finished payouts archived out of Redis',
      );
    return { archived, waiting };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    archiveOnce,
    start(everyMs: number) {
      timer = setInterval(() => {
        running = archiveOnce().catch((err: unknown) =>
          deps.logger.warn({ err }, 'ledger: archival pass failed; tried again later'),
        );
      }, everyMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
