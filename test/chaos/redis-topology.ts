import { startPrivateRedis } from '../helpers/private-redis.js';
import { startRedisProxy } from '../helpers/redis-proxy.js';
import { ask, startPrimaryWithReplica } from '../helpers/replication.js';
import type { ChaosCleanup } from './processes.js';
import { sleep } from './run-context.js';

/**
 * The Redis a chaos run uses, and the fault it suffers once, when half the payouts are accepted:
 * - `kill`: one redis-server writing every change to its AOF before answering (appendfsync always),
 *   killed hard (SIGKILL, never SHUTDOWN) and started again from its AOF; the processes run under
 *   REDIS_DURABILITY=fsync.
 * - `fail-over`: a primary and its replica behind one address (a forwarder standing for the virtual
 *   IP or DNS name a deployment reaches its primary at). The primary is killed hard, the replica is
 *   promoted and the address moved to it, every connection is cut and reconnects there, and the old
 *   primary comes back as the new one's replica. The processes run under REDIS_DURABILITY=replicas:1.
 * Either way the run's invariants are the same: no acknowledged payout lost, none sent twice.
 */

export type RedisFault = 'kill' | 'fail-over';

/** The REDIS_DURABILITY each fault is run under. */
export const DURABILITY_FOR: Record<RedisFault, string> = { kill: 'fsync', 'fail-over': 'replicas:1' };

export interface ChaosRedis {
  /** What the processes and the observer connect to. */
  url: string;
  /** The servers' data folders (their AOF), for the scan and the cleanup. */
  dirs: string[];
  /** The fault, once; resolves when the system can reach a primary again. */
  disrupt(event: (what: string) => void, downMs: number): Promise<void>;
}

export async function startChaosRedis(fault: RedisFault, cleanup: ChaosCleanup): Promise<ChaosRedis> {
  if (fault === 'kill') {
    const redis = await startPrivateRedis(); // appendfsync always
    cleanup.add('private redis', () => redis.stop());
    return {
      url: redis.url,
      dirs: [redis.dir],
      async disrupt(event, downMs) {
        event('redis: stopping (SIGKILL)');
        await redis.stop();
        event('redis: down');
        await sleep(downMs);
        if (cleanup.closed) return; // the run was abandoned: start nothing
        await redis.start();
        event('redis: started again (AOF reloaded)');
      },
    };
  }
  const { primary, replica } = await startPrimaryWithReplica();
  const proxy = await startRedisProxy(primary.port);
  cleanup.add('private redis (primary)', () => primary.stop());
  cleanup.add('private redis (replica)', () => replica.stop());
  cleanup.add('redis address', () => proxy.close());
  return {
    url: proxy.url,
    dirs: [primary.dir, replica.dir],
    async disrupt(event, downMs) {
      event('redis: primary stopping (SIGKILL)');
      await primary.stop();
      event('redis: primary down');
      // As long as a Sentinel would take to agree the primary is gone.
      await sleep(downMs);
      if (cleanup.closed) return;
      await ask(replica.url, (r) => r.replicaof('NO', 'ONE'));
      proxy.failOver(replica.port);
      event(`redis: replica promoted, the address moved to it (port ${replica.port})`);
      await primary.start();
      await ask(primary.url, (r) => r.replicaof('127.0.0.1', String(replica.port)));
      event('redis: the old primary follows the new one');
    },
  };
}
