import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createPayoutStore, type PayoutStore } from '../payout/store.js';
import { createPayoutQueue } from '../queues.js';
import { type ConnectionRole, connectRedis } from '../redis.js';
import { createProducer, type Producer } from './producer.js';
import type { ArchiveReader } from './view.js';

/**
 * A producer with its own Redis connection, for code outside the running service: the library entry
 * point, the operator CLI, the demo. The service itself assembles its parts in `system.ts`.
 */
export function connectProducer(
  config: Config,
  logger: Logger,
  role: ConnectionRole,
  /** Where payouts archived out of Redis are read (the ledger), when there is one. */
  archive?: ArchiveReader,
) {
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, role, logger);
  const store: PayoutStore = createPayoutStore({
    redis,
    queuePrefix: config.queuePrefix,
    payloadKeys: config.payloadKeys,
    logger,
    notify: config.notify !== undefined,
    currencies: config.currencies,
    ledger: config.ledger !== undefined,
    // Outside the service, its changes reach the outboxes the service keeps (payout/deployment.ts).
    followDeployment: true,
  });
  const queue = createPayoutQueue(redis, config.queuePrefix);
  queue.on('error', () => undefined); // the connection's own listener logs outages once
  const producer: Producer = createProducer({
    store,
    queue,
    logger,
    currencies: config.currencies,
    ...(archive ? { archive } : {}),
  });
  return {
    redis,
    logger,
    store,
    queue,
    producer,
    async close() {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}
