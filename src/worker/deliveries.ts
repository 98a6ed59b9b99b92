import type { Queue } from 'bullmq';
import type { HistoryEntry } from '../payout/history.js';
import {
  DELIVERED_KEPT,
  type NotificationJobData,
  notificationEvent,
  notificationJobId,
} from './notifier.js';

/**
 * What became of the notifications of one payout, read from the notifications queue: each change's
 * delivery job has an id made of the payout and the change's seq (notifier.ts), so a payout's page
 * finds its jobs by id, one read per change, and nothing more is written anywhere to show them.
 */

export type DeliveryStatus = 'delivered' | 'retrying' | 'waiting' | 'sending' | 'given_up' | 'not_in_queue';

export interface Delivery {
  seq: number;
  event: string;
  /** When the change happened. */
  changedAt: string;
  status: DeliveryStatus;
  /** Tries so far (BullMQ's attemptsMade). */
  attempts: number;
  /** Delivered: when; otherwise when it was last tried, if it was. */
  at: string | undefined;
  /** The receiver's HTTP status once delivered; the last failure while not. */
  detail: string;
}

/** At most this many of a payout's latest changes are looked up (each is one read of the queue). */
export const DELIVERIES_SHOWN = 50;

/**
 * Whether a change was put in the notification outbox (payout/scripts.ts): every move and every
 * contradiction; a first approval of two, or a gateway answer after the payout moved on, moves nothing
 * and tells the casino nothing.
 */
export const isNotified = (e: HistoryEntry): boolean =>
  e.from === undefined || e.from !== e.to || e.contradiction === true;

export const NOT_IN_QUEUE = `not in the queue: not yet taken from the outbox, or delivered and since removed (the queue keeps the newest ${DELIVERED_KEPT.toLocaleString('en')} delivered)`;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export function createDeliveryReader(queue: Queue<NotificationJobData>) {
  /** The deliveries of a payout's notified changes, the latest DELIVERIES_SHOWN, oldest first. */
  return async function deliveriesOf(
    externalId: string,
    history: readonly HistoryEntry[],
  ): Promise<Delivery[]> {
    const notified = history.filter(isNotified).slice(-DELIVERIES_SHOWN);
    return Promise.all(
      notified.map(async (change): Promise<Delivery> => {
        const base = { seq: change.seq, event: notificationEvent(change), changedAt: change.at };
        const job = await queue.getJob(notificationJobId(externalId, change.seq));
        if (!job)
          return { ...base, status: 'not_in_queue', attempts: 0, at: undefined, detail: NOT_IN_QUEUE };
        const state = await job.getState();
        const attempts = job.attemptsMade;
        const lastTry = iso(job.processedOn);
        if (state === 'completed')
          return {
            ...base,
            status: 'delivered',
            attempts,
            at: iso(job.finishedOn),
            detail: `HTTP ${String(job.returnvalue)}`,
          };
        const failure = job.failedReason ? job.failedReason.slice(0, 300) : '';
        const status: DeliveryStatus =
          state === 'failed'
            ? 'given_up'
            : attempts > 0
              ? 'retrying'
              : state === 'active'
                ? 'sending'
                : 'waiting';
        return { ...base, status, attempts, at: lastTry, detail: failure };
      }),
    );
  };
}

export type DeliveryReader = ReturnType<typeof createDeliveryReader>;
