import type { Redis } from 'ioredis';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import { type GuardContext, nodeOf } from './durability-node.js';

/** The start checks of DurabilityGuard.verify. */
export async function verifyDurability(
  ctx: GuardContext,
  logger: Logger,
  { sandbox }: { sandbox: boolean },
): Promise<void> {
  const { setting } = ctx;
  if (setting.level === 'acknowledged') {
    if (!sandbox) {
      logger.warn(
        { setting: 'REDIS_DURABILITY' },
        'REDIS_DURABILITY=acknowledged: a Redis fail-over or power loss can lose acknowledged writes (an accepted payout vanishes, or one is sent twice); use fsync or replicas:N in production',
      );
    }
    return;
  }
  const on = await nodeOf(ctx);
  if (!on) throw new ConfigError('REDIS_DURABILITY', 'no Redis node holds the payout keys yet');
  if (setting.level === 'fsync') return checkFsync(on);
  const info = await on.info('replication');
  const connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
  if (connected < setting.replicas) {
    logger.warn(
      { setting: 'REDIS_DURABILITY', replicas_wanted: setting.replicas, replicas_connected: connected },
      `REDIS_DURABILITY=replicas:${setting.replicas}, but Redis has ${connected} replica(s) connected: new payouts answer 503 and nothing is sent until enough replicas follow`,
    );
  }
}

/** Refuses a Redis that answers writes before they are on its disk. */
async function checkFsync(on: Redis): Promise<void> {
  const read = async (name: string) => {
    try {
      return ((await on.config('GET', name)) as string[])[1];
    } catch (err) {
      throw new ConfigError(
        'REDIS_DURABILITY',
        `fsync needs CONFIG GET ${name} to confirm Redis writes to disk before answering, and Redis refused it (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
      );
    }
  };
  const appendonly = await read('appendonly');
  if (appendonly !== 'yes') {
    throw new ConfigError(
      'REDIS_DURABILITY',
      `fsync needs Redis's appendonly yes (it is ${appendonly}): set appendonly yes and appendfsync always in redis.conf`,
    );
  }
  const appendfsync = await read('appendfsync');
  if (appendfsync !== 'always') {
    throw new ConfigError(
      'REDIS_DURABILITY',
      `fsync needs Redis's appendfsync always (it is ${appendfsync}): set appendfsync always in redis.conf (CONFIG SET appendfsync always for a running one)`,
    );
  }
}
