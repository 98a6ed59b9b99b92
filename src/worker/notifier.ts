import { createHmac, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios from 'axios';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { jobIdFor } from '../methods/index.js';
import type { PayoutStore } from '../payout/store.js';
import { viewAsOf } from '../producer/view.js';

/**
 * Notifications to the casino backend. Every status change is written to an outbox list in the same
 * Lua script as the change itself; the relay turns outbox entries into jobs of the notifications
 * queue, whose worker POSTs them, signed, until the receiver answers 2xx. At least once, and each
 * carries the payout's sequence number so the receiver can order them and drop repeats.
 */

export const NOTIFICATIONS_QUEUE = 'notifications';

export interface NotificationJobData {
  /** The payout it is about; absent for an operator event (see `outboxEntry`). */
  externalId?: string;
  /** The payout's change it reports; 0 for an operator event. */
  seq: number;
  /** The exact body that is signed and sent. */
  body: string;
}

/**
 * An outbox entry of an event that is no payout's change (an operator event, src/controls): the body
 * as it is to be delivered, and an id that names its delivery job, so two relays add it once.
 */
export const outboxEntry = (body: string): string => JSON.stringify({ event_id: randomUUID(), body });

/** The delivery job of a payout's change `seq`: one id per change, so two relays add it once. */
export const notificationJobId = (externalId: string, seq: number): string =>
  `${jobIdFor(externalId)}-n${seq}`;

/** The event a change is notified as: `payout.<state>`, or `payout.contradiction` for a contradicting report. */
export const notificationEvent = (change: { to: string; contradiction?: boolean }): string =>
  change.contradiction ? 'payout.contradiction' : `payout.${change.to}`;

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Payout-Signature header's value. */
export const signNotification = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/**
 * Backoff between deliveries: 1 s doubling, capped at an hour. Tried until a 2xx (DESIGN.md), so a
 * casino endpoint that is down for days still gets every change once it is back; meanwhile the
 * deliveries wait, delayed, in the notifications queue (Bull Board).
 */
const DELIVERY_BASE_MS = 1_000;
const DELIVERY_MAX_MS = 3_600_000;
/** Without end, in effect: at one try an hour, a billion tries last longer than any deployment. */
const DELIVERY_ATTEMPTS = 1_000_000_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** How long the relay sleeps when the outbox is empty. */
const RELAY_IDLE_MS = 100;
const RELAY_BATCH = 200;

/** How many delivered notifications the queue keeps (the newest); older ones leave it. */
export const DELIVERED_KEPT = 1_000;

export const deliveryDelay = (attemptsMade: number): number =>
  Math.min(DELIVERY_MAX_MS, DELIVERY_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));

export function createNotifier(deps: {
  connection: Redis;
  queuePrefix: string;
  store: PayoutStore;
  logger: Logger;
  url: string;
  secret: string;
  /** Lock duration; a delivery whose worker died is picked up again once its lock expires. */
  lockMs?: number;
  onDelivery?: (result: 'delivered' | 'failed') => void;
}) {
  const prefix = deps.queuePrefix;
  const queue = new Queue<NotificationJobData>(NOTIFICATIONS_QUEUE, { connection: deps.connection, prefix });
  queue.on('error', () => undefined); // the connection's own listener logs outages once
  const http = axios.create({
    timeout: DELIVERY_TIMEOUT_MS,
    maxRedirects: 0,
    validateStatus: () => true,
    httpAgent: new Agent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
    headers: { 'Content-Type': 'application/json' },
  });

  /** The notification for one change, from the history entry with that sequence number. */
  async function build(externalId: string, seq: number): Promise<NotificationJobData | undefined> {
    const record = await deps.store.get(externalId);
    if (!record) return undefined;
    // The payout as of this change, so a late delivery never claims a newer state or its details.
    const asOf = viewAsOf(record, await deps.store.history(externalId), seq);
    if (!asOf) return undefined;
    const { payout, change } = asOf;
    const event = notificationEvent(change);
    const body = JSON.stringify({ event, payout: { ...payout, changed_at: change.at, change } });
    return { externalId, seq, body };
  }

  let relaying = false;
  let relayDone: Promise<void> = Promise.resolve();

  /**
   * Moves outbox entries to jobs, a batch at a time and the batch in parallel. An entry is removed only
   * after its job exists; two relays reading the same entries add the same job id once.
   */
  async function relayOnce(): Promise<number> {
    const outbox = deps.store.keys.outbox;
    const entries = await deps.connection.lrange(outbox, 0, RELAY_BATCH - 1);
    await Promise.all(
      entries.map(async (raw) => {
        const entry = JSON.parse(raw) as
          | { external_id: string; seq: number }
          | { event_id: string; body: string };
        const data =
          'event_id' in entry ? { seq: 0, body: entry.body } : await build(entry.external_id, entry.seq);
        if (data) {
          await queue.add('notify', data, {
            jobId:
              'event_id' in entry
                ? `event-${entry.event_id}`
                : notificationJobId(entry.external_id, entry.seq),
            attempts: DELIVERY_ATTEMPTS,
            backoff: { type: 'custom' },
            // BullMQ keeps a stack trace per failed attempt; tried for days, a job would grow without end.
            stackTraceLimit: 1,
            removeOnComplete: { count: DELIVERED_KEPT },
            removeOnFail: { count: 10_000 },
          });
        }
        await deps.connection.lrem(outbox, 1, raw);
      }),
    );
    return entries.length;
  }

  const worker = new Worker<NotificationJobData>(
    NOTIFICATIONS_QUEUE,
    async (job: Job<NotificationJobData>) => {
      const res = await http.post(deps.url, job.data.body, {
        headers: {
          'X-Payout-Signature': signNotification(deps.secret, job.data.body),
          'X-Payout-Event-Seq': String(job.data.seq),
        },
        transformRequest: [(d) => d],
      });
      if (res.status < 200 || res.status >= 300) {
        deps.onDelivery?.('failed');
        throw new Error(`notification receiver answered HTTP ${res.status}`);
      }
      deps.onDelivery?.('delivered');
      return res.status;
    },
    {
      connection: deps.connection,
      prefix,
      concurrency: 20,
      // Delivery is at least once (receivers order by seq): a delivery whose worker died is simply
      // tried again, however often that happens, rather than given up.
      maxStalledCount: DELIVERY_ATTEMPTS,
      autorun: false,
      ...(deps.lockMs ? { lockDuration: deps.lockMs, stalledInterval: deps.lockMs } : {}),
      settings: { backoffStrategy: (attemptsMade: number) => deliveryDelay(attemptsMade) },
    },
  );
  worker.on('failed', (job, err) => {
    deps.logger.warn(
      {
        external_id: job?.data.externalId,
        seq: job?.data.seq,
        attempt: job?.attemptsMade,
        err: { message: err.message },
      },
      'notification delivery failed',
    );
  });
  worker.on('error', (err) => deps.logger.error({ err }, 'notification worker error'));

  return {
    queue,
    worker,
    relayOnce,
    start() {
      relaying = true;
      relayDone = (async () => {
        while (relaying) {
          try {
            const n = await relayOnce();
            if (n === 0) await new Promise((r) => setTimeout(r, RELAY_IDLE_MS));
          } catch (err) {
            deps.logger.warn({ err }, 'notification relay: will retry');
            await new Promise((r) => setTimeout(r, 1_000));
          }
        }
      })();
      void worker.run();
    },
    async close() {
      relaying = false;
      await relayDone;
      await worker.close();
      await queue.close();
    },
  };
}
