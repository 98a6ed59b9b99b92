import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  DELIVERY_ATTEMPTS,
  DELIVERY_TIMEOUT_MS,
  deliveryDelay,
  NOTIFICATIONS_QUEUE,
  type NotificationJobData,
  signNotification,
} from './notification.js';
import { logWorkerErrors } from './worker-errors.js';

/**
 * The delivery side of the notifier: the worker of the notifications queue POSTs each job's body,
 * signed, and fails the attempt (to be tried again later) unless the receiver answers 2xx.
 */

export interface DeliveryContext {
  connection: Redis;
  queuePrefix: string;
  logger: Logger;
  url: string;
  secret: string;
  /** Lock duration; a delivery whose worker died is picked up again once its lock expires. */
  lockMs?: number;
  onDelivery?: (result: 'delivered' | 'failed') => void;
}

/** The HTTP client deliveries are POSTed with: every answer is read, none followed. */
export function createDeliveryHttp(): AxiosInstance {
  return axios.create({
    timeout: DELIVERY_TIMEOUT_MS,
    maxRedirects: 0,
    validateStatus: () => true,
    httpAgent: new Agent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
    headers: { 'Content-Type': 'application/json' },
  });
}

/** One delivery attempt: the job's exact body, its signature and seq in headers. */
async function deliver(
  ctx: DeliveryContext,
  http: AxiosInstance,
  job: Job<NotificationJobData>,
): Promise<number> {
  const res = await http.post(ctx.url, job.data.body, {
    headers: {
      'X-Payout-Signature': signNotification(ctx.secret, job.data.body),
      'X-Payout-Event-Seq': String(job.data.seq),
    },
    transformRequest: [(d) => d],
  });
  if (res.status < 200 || res.status >= 300) {
    ctx.onDelivery?.('failed');
    throw new Error(`notification receiver answered HTTP ${res.status}`);
  }
  ctx.onDelivery?.('delivered');
  return res.status;
}

/** The notifications queue's worker, not yet running (autorun off), with its failures logged. */
export function createDeliveryWorker(ctx: DeliveryContext, http: AxiosInstance): Worker<NotificationJobData> {
  const worker = new Worker<NotificationJobData>(
    NOTIFICATIONS_QUEUE,
    async (job: Job<NotificationJobData>) => deliver(ctx, http, job),
    {
      connection: ctx.connection,
      prefix: ctx.queuePrefix,
      concurrency: 20,
      // Delivery is at least once (receivers order by seq): a delivery whose worker died is simply
      // tried again, however often that happens, rather than given up.
      maxStalledCount: DELIVERY_ATTEMPTS,
      autorun: false,
      ...(ctx.lockMs ? { lockDuration: ctx.lockMs, stalledInterval: ctx.lockMs } : {}),
      settings: { backoffStrategy: (attemptsMade: number) => deliveryDelay(attemptsMade) },
    },
  );
  worker.on('failed', (job, err) => {
    ctx.logger.warn(
      {
        external_id: job?.data.externalId,
        seq: job?.data.seq,
        attempt: job?.attemptsMade,
        err: { message: err.message },
      },
      'notification delivery failed',
    );
  });
  worker.on('error', logWorkerErrors(ctx.logger, 'notification'));
  return worker;
}
