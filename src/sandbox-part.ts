import type { Redis } from 'ioredis';
import { type Config, secretsOf } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { connectRedis, waitUntilReady } from './redis.js';
import { createRedisOrderStore, createSandbox, type Sandbox } from './sandbox/index.js';
import { listenOn, reachRedis } from './start-checks.js';

/**
 * The sandbox part: the built-in gateway simulator, alone (`payouts sandbox`) or beside the system
 * when GATEWAY_URL is unset (`payouts all`, `npm start`).
 */

/** The sandbox gateway alone (`payouts sandbox`): no Redis, no workers. */
export async function startSandboxOnly(
  config: Config,
): Promise<{ logger: Logger; urls: Record<string, string>; close(): Promise<void> }> {
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  await reachRedis(config.redisUrl);
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'request', logger);
  try {
    await waitUntilReady(redis);
    const sandbox = sandboxFor(config, logger, redis);
    const close = async () => {
      await sandbox.close();
      redis.disconnect();
    };
    const url = await listenSandbox(config, sandbox).catch(async (err) => {
      await sandbox.close();
      throw err;
    });
    return { logger, urls: { sandbox: url }, close };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

const listenSandbox = (config: Config, sandbox: Sandbox) => {
  const host = config.host === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1';
  return listenOn('SANDBOX_PORT', { port: config.sandbox.port, host }, () =>
    sandbox.listen(config.sandbox.port, host),
  );
};

/** The sandbox keeps its orders in Redis under the deployment's prefix, so a restart strands no payout. */
const sandboxFor = (config: Config, logger: Logger, redis: Redis) =>
  createSandbox({
    orders: createRedisOrderStore(redis, config.queuePrefix),
    merchantKey: config.gateway.merchantKey,
    salt: config.gateway.salt,
    callbackSalt: config.gateway.callbackSalt,
    callbackUrl: config.sandbox.callbackUrl,
    timeScale: config.sandbox.timeScale,
    duplicates: config.sandbox.duplicates,
    currencies: config.currencies,
    logger: logger.child({ part: 'sandbox' }),
  });

/** The sandbox beside the system, on the deployment's Redis; its URL. */
export async function startSandboxPart(
  config: Config,
  logger: Logger,
  closers: (() => Promise<unknown>)[],
  redis: Redis,
): Promise<string> {
  await waitUntilReady(redis);
  const sandbox = sandboxFor(config, logger, redis);
  closers.push(() => sandbox.close());
  return listenSandbox(config, sandbox);
}
