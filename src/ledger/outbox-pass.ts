import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { PayoutKeys } from '../payout/keys.js';
import type { LedgerDb } from './db.js';
import { readGroups } from './group-read.js';
import { writeGroups } from './group-write.js';
import { type Group, groupEntries } from './outbox-entry.js';
import { moveToRefused, refusalNames, rotateRefused } from './refused.js';

/**
 * One pass of the ledger writer over a list (the outbox, or its refused entries): a batch read from
 * its head, written, and taken off it once written; what is refused is moved aside or rotated.
 */

export type LedgerWriteResult = 'written' | 'failed' | 'refused';

/** Entries per pass (and audit entries per copy). */
export const BATCH = 200;

/** What the writer's passes work with. */
export interface WriterContext {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  /** Entries written (inserted or found already there), failed write attempts and refused entries. */
  onWrite?: (result: LedgerWriteResult, entries: number) => void;
  keys: PayoutKeys;
  /** The ledger outbox, and the list its refused entries wait in. */
  outbox: string;
  refusedList: string;
}

function logRefused(ctx: WriterContext, g: Group, again: boolean): void {
  ctx.logger.error(
    {
      [g.kind === 'payout' ? 'external_id' : 'deposit_id']: g.id,
      seqs: g.seqs,
      err: g.refused,
      ...refusalNames(g.refused),
    },
    again
      ? `ledger: the ${g.kind}'s rows are still refused; tried again later (payouts_ledger_refused_entries)`
      : `ledger: the ${g.kind}'s rows were refused; moved aside and tried again until written (payouts_ledger_refused_entries)`,
  );
}

/** One batch of `list`: written entries leave it; returns the groups refused and the unreadable entries. */
async function pass(
  ctx: WriterContext,
  list: string,
): Promise<{ taken: number; refused: Group[]; unreadable: string[] }> {
  const raws = await ctx.redis.lrange(list, 0, BATCH - 1);
  if (raws.length === 0) return { taken: 0, refused: [], unreadable: [] };
  const { groups, unreadable } = groupEntries(raws);
  await readGroups(ctx, groups);
  await writeGroups(ctx.db, groups);
  const written = groups.filter((g) => g.refused === undefined);
  const settled = written.flatMap((g) => g.raw);
  if (settled.length > 0) {
    const pipeline = ctx.redis.pipeline();
    for (const raw of settled) pipeline.lrem(list, 1, raw);
    const res = (await pipeline.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    ctx.onWrite?.('written', settled.length);
  }
  return { taken: raws.length, refused: groups.filter((g) => g.refused !== undefined), unreadable };
}

/** Writes one batch of the outbox, moving refused entries aside; returns how many entries it took. */
export async function writeOutboxOnce(ctx: WriterContext): Promise<number> {
  const { taken, refused, unreadable } = await pass(ctx, ctx.outbox);
  const aside = [...refused.flatMap((g) => g.raw), ...unreadable];
  if (aside.length === 0) return taken;
  await moveToRefused(ctx.redis, ctx.outbox, aside);
  ctx.onWrite?.('refused', aside.length);
  for (const g of refused) logRefused(ctx, g, false);
  for (const raw of unreadable)
    ctx.logger.error(
      { entry: raw.slice(0, 300) },
      'ledger: an outbox entry that cannot be read; moved aside and kept (payouts_ledger_refused_entries)',
    );
  return taken;
}

/**
 * Tries a batch of the refused entries again; the ones still refused go to the list's tail, so the
 * next try takes the next batch. Returns how many of this batch are still refused.
 */
export async function retryRefusedOnce(ctx: WriterContext): Promise<number> {
  const { refused, unreadable } = await pass(ctx, ctx.refusedList);
  for (const g of refused) logRefused(ctx, g, true);
  const still = [...refused.flatMap((g) => g.raw), ...unreadable];
  await rotateRefused(ctx.redis, ctx.outbox, still);
  return still.length;
}
