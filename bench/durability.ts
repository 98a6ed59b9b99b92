import { Redis } from 'ioredis';
import { startPrivateRedis } from '../test/helpers/private-redis.js';
import { startPrimaryWithReplica } from '../test/helpers/replication.js';
import { type ThroughputRun, type Timing, throughputRun } from './figures.js';
import { type Spread, spread } from './series.js';
import type { FakeGateway } from './stub.js';
import type { SideOptions } from './systems.js';

/**
 * What each REDIS_DURABILITY level costs: ours' throughput run (64 closed-loop clients, the fake
 * gateway) under each level, against a private redis-server configured for it on this machine's disk:
 * - acknowledged: AOF with appendfsync everysec;
 * - fsync: AOF with appendfsync always;
 * - replicas:1: appendfsync everysec, and one replica on a loopback port.
 * The levels take turns, the order rotating each round; each is compared with acknowledged.
 */

export interface DurabilityLevel {
  level: string;
  perSecond: Spread;
  /** Median payouts/s against acknowledged's median. */
  ratio: number;
  cpuMicros: { api: Spread; worker: Spread };
  runs: ThroughputRun[];
}

const everysec = ['--appendfsync', 'everysec'];

export async function benchDurability(
  gateway: FakeGateway,
  opts: Omit<SideOptions, 'redisUrl'>,
  timing: Timing,
  rounds: number,
): Promise<DurabilityLevel[]> {
  const acknowledged = await startPrivateRedis({ args: everysec });
  const fsync = await startPrivateRedis(); // appendfsync always
  const pair = await startPrimaryWithReplica({ args: everysec });
  const levels = [
    { level: 'acknowledged', url: acknowledged.url },
    { level: 'fsync', url: fsync.url },
    { level: 'replicas:1', url: pair.primary.url },
  ];
  const runs = new Map<string, ThroughputRun[]>(levels.map((l) => [l.level, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < levels.length; i++) {
        const { level, url } = levels[(i + round) % levels.length]!;
        const env = { ...opts.env, REDIS_DURABILITY: level };
        runs.get(level)!.push(await throughputRun('ours', gateway, { ...opts, env, redisUrl: url }, timing));
        const r = new Redis(url);
        await r.flushall();
        r.disconnect();
      }
    }
  } finally {
    for (const r of [acknowledged, fsync, pair.replica, pair.primary]) await r.stop();
  }
  const base = spread(runs.get('acknowledged')!.map((r) => r.perSecond)).median;
  return levels.map(({ level }) => {
    const rs = runs.get(level)!;
    const perSecond = spread(rs.map((r) => r.perSecond));
    return {
      level,
      perSecond,
      ratio: perSecond.median / base,
      cpuMicros: {
        api: spread(rs.map((r) => r.cpuMicros.api)),
        worker: spread(rs.map((r) => r.cpuMicros.worker)),
      },
      runs: rs,
    };
  });
}
