import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { archivePayout } from '../payout/archive.js';
import { type PayoutKeys, payoutKeys } from '../payout/keys.js';
import { type PayoutState, TERMINAL_STATES } from '../payout/states.js';
import { heldWhole, markArchived } from './archive-ledger.js';
import type { LedgerDb } from './db.js';

/**
 * Archival: a finished payout whose last change is older than the retention leaves Redis, but only
 * once the ledger holds every one of its changes (seq 1..n, and a current row at seq n), checked just
 * before; the Redis side (payout/archive.ts) refuses if the payout changed since. Keeps Redis bounded
 * by live work plus small tombstones. The ledger's side (held whole, the archival mark) is in
 * archive-ledger.ts.
 */

const PAGE = 200;
/** At most this many payouts per state and run, so one run stays short whatever the backlog. */
const MAX_PER_RUN = 5_000;

interface ArchiverContext {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  retentionMs: number;
  keys: PayoutKeys;
  now: () => number;
}

export function createLedgerArchiver(deps: {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  retentionMs: number;
  now?: () => number;
}) {
  const ctx: ArchiverContext = { ...deps, keys: payoutKeys(deps.queuePrefix), now: deps.now ?? Date.now };
  const archiveOnce = () => archiveRun(ctx);

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

/** One pass over the finished payouts past the retention; returns how many were archived. */
async function archiveRun(ctx: ArchiverContext): Promise<{ archived: number; waiting: number }> {
  const cutoff = ctx.now() - ctx.retentionMs;
  let archived = 0;
  let waiting = 0;
  for (const state of TERMINAL_STATES) {
    // Pages by offset: payouts the ledger does not hold yet stay in place and are stepped over.
    for (let offset = 0; offset < MAX_PER_RUN; ) {
      const page = await ctx.redis.zrangebyscore(
        ctx.keys.stateIndex(state),
        '-inf',
        cutoff,
        'LIMIT',
        offset,
        PAGE,
      );
      if (page.length === 0) break;
      const done = await archivePage(ctx, state, page);
      waiting += done.waiting;
      archived += done.moved;
      offset += page.length - done.moved;
      if (page.length < PAGE) break;
    }
  }
  if (archived > 0 || waiting > 0)
    ctx.logger.info(
      { archived, waiting_for_ledger: waiting },
      'ledger: finished payouts archived out of Redis',
    );
  return { archived, waiting };
}

/** Archives the payouts of one page the ledger holds whole; returns how many left Redis and how many wait. */
async function archivePage(
  ctx: ArchiverContext,
  state: PayoutState,
  page: string[],
): Promise<{ moved: number; waiting: number }> {
  const pipeline = ctx.redis.pipeline();
  for (const id of page) pipeline.hget(ctx.keys.record(id), 'seq');
  const res = (await pipeline.exec()) ?? [];
  const seqs = new Map<string, number>();
  page.forEach((id, i) => {
    const v = res[i]?.[1];
    if (typeof v === 'string') seqs.set(id, Number(v));
  });
  const held = await heldWhole(ctx.db, page, seqs);
  // Marked archived before Redis lets go, so the list never loses it in between; a payout
  // marked but kept (it changed since the check) is listed from Redis, at the same place.
  await markArchived(ctx.db, [...held], true);
  let moved = 0;
  let waiting = 0;
  const kept: string[] = [];
  for (const id of page) {
    const seq = seqs.get(id);
    if (
      seq !== undefined &&
      held.has(id) &&
      (await archivePayout(ctx.redis, ctx.queuePrefix, id, state, seq))
    ) {
      moved++;
    } else {
      waiting++;
      if (held.has(id)) kept.push(id);
    }
  }
  await markArchived(ctx.db, kept, false);
  return { moved, waiting };
}
