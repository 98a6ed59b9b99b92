import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';
import { NOTIFICATIONS_QUEUE, type NotificationJobData } from './notification.js';
import { createDeliveryHttp, createDeliveryWorker } from './notification-delivery.js';
import { RELAY_IDLE_MS, type RelayContext, relayOnce } from './notification-relay.js';

/**
 * The notifier: the relay that turns outbox entries into delivery jobs (notification-relay.ts) and
 * the worker that delivers them (notification-delivery.ts), started and closed together. What a
 * notification is, its ids and its signature are in notification.ts.
 */

export {
  DELIVERED_KEPT,
  deliveryDelay,
  NOTIFICATIONS_QUEUE,
  type NotificationJobData,
  notificationEvent,
  notificationJobId,
  outboxEntry,
  signNotification,
} from './notification.js';

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
  const http = createDeliveryHttp();
  const relay: RelayContext = { connection: deps.connection, store: deps.store, queue };
  const worker = createDeliveryWorker(deps, http);
  const relaying = { on: false, done: Promise.resolve() };

  return {
    queue,
    worker,
    relayOnce: () => relayOnce(relay),
    start() {
      relaying.on = true;
      relaying.done = relayLoop(relay, relaying, deps.logger);
      void worker.run();
    },
    async close() {
      relaying.on = false;
      await relaying.done;
      await worker.close();
      await queue.close();
    },
  };
}

/** Relays until told to stop; sleeps while the outbox is empty, and a second after a failure. */
async function relayLoop(relay: RelayContext, relaying: { on: boolean }, logger: Logger): Promise<void> {
  while (relaying.on) {
    try {
      const n = await relayOnce(relay);
      if (n === 0) await new Promise((r) => setTimeout(r, RELAY_IDLE_MS));
    } catch (err) {
      logger.warn({ err }, 'notification relay: will retry');
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
