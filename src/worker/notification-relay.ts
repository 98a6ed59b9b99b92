import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PayoutStore } from '../payout/store.js';
import { viewAsOf } from '../producer/view.js';
import {
  DELIVERED_KEPT,
  DELIVERY_ATTEMPTS,
  type NotificationJobData,
  notificationEvent,
  notificationJobId,
} from './notification.js';

/**
 * The relay of the notifier: outbox entries, written with each change in its Lua script, become
 * delivery jobs of the notifications queue.
 */

/** How long the relay sleeps when the outbox is empty. */
export const RELAY_IDLE_MS = 100;
const RELAY_BATCH = 200;

export interface RelayContext {
  connection: Redis;
  store: PayoutStore;
  queue: Queue<NotificationJobData>;
}

/** The notification for one change, from the history entry with that sequence number. */
async function build(
  store: PayoutStore,
  externalId: string,
  seq: number,
): Promise<NotificationJobData | undefined> {
  const record = await store.get(externalId);
  if (!record) return undefined;
  // The payout as of this change, so a late delivery never claims a newer state or its details.
  const asOf = viewAsOf(record, await store.history(externalId), seq);
  if (!asOf) return undefined;
  const { payout, change } = asOf;
  const event = notificationEvent(change);
  const body = JSON.stringify({ event, payout: { ...payout, changed_at: change.at, change } });
  return { externalId, seq, body };
}

/**
 * Moves outbox entries to jobs, a batch at a time and the batch in parallel. An entry is removed only
 * after its job exists; two relays reading the same entries add the same job id once.
 */
export async function relayOnce(ctx: RelayContext): Promise<number> {
  const outbox = ctx.store.keys.outbox;
  const entries = await ctx.connection.lrange(outbox, 0, RELAY_BATCH - 1);
  await Promise.all(entries.map((raw) => relayEntry(ctx, outbox, raw)));
  return entries.length;
}

async function relayEntry(ctx: RelayContext, outbox: string, raw: string): Promise<void> {
  const entry = JSON.parse(raw) as { external_id: string; seq: number } | { event_id: string; body: string };
  const data =
    'event_id' in entry ? { seq: 0, body: entry.body } : await build(ctx.store, entry.external_id, entry.seq);
  if (data) {
    await ctx.queue.add('notify', data, {
      jobId:
        'event_id' in entry ? `event-${entry.event_id}` : notificationJobId(entry.external_id, entry.seq),
      attempts: DELIVERY_ATTEMPTS,
      backoff: { type: 'custom' },
      // BullMQ keeps a stack trace per failed attempt; tried for days, a job would grow without end.
      stackTraceLimit: 1,
      removeOnComplete: { count: DELIVERED_KEPT },
      removeOnFail: { count: 10_000 },
    });
  }
  await ctx.connection.lrem(outbox, 1, raw);
}
