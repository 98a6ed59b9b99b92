import type { Cluster, Redis } from 'ioredis';
import { ConfigError, type RedisDurability } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * REDIS_DURABILITY: what "written" means before the steps that cannot be taken back (answering 202
 * to a new payout, sending a claimed payout or a deposit to the gateway, answering a callback
 * `{"result":"ok"}`).
 *
 * - `acknowledged`: Redis answered. A fail-over to a replica that had not received the write, or a
 *   power loss inside the fsync window, loses it.
 * - `fsync`: Redis runs with `appendonly yes` and `appendfsync always` (checked at start), so it
 *   answers a write only once it is on its disk: nothing to wait for per step.
 * - `replicas:N`: after the write, `WAIT N timeout` on the connection that made it.
 *
 * WAIT counts the replicas that have everything the connection wrote up to then, so it proves
 * nothing when the connection was cut and reopened between the write and the WAIT (a fail-over: the
 * WAIT would run on a server that may never have had the write). So the node's connection is noted
 * before the write, and a close of it at any time until the WAIT's answer makes the step not
 * durable. Before each WAIT the connection also writes a probe key: a step whose own write changed
 * nothing (the same request again, a repeated callback, a claim taken back) is then covered too,
 * since the probe follows in the replication stream whatever the connection read.
 *
 * On a Redis Cluster the payout's keys all live on the shard of the prefix's hash tag (keys.ts); the
 * WAIT goes to that shard's primary, over the very connection the cluster client writes them with.
 */

export type DurabilitySetting = RedisDurability & { timeoutMs: number };

export interface DurabilityGuard {
  readonly setting: DurabilitySetting;
  /**
   * Runs `write`, then waits until it is durable as the setting asks (everything the connection
   * wrote or read before the wait is covered). `durable: false` means not proven in time: the write
   * may or may not survive a fail-over, so the step must not be taken.
   */
  durably<T>(write: () => Promise<T>): Promise<{ result: T; durable: boolean }>;
  /**
   * At start: refuses a Redis that cannot give `fsync` (one line naming the Redis setting to
   * change); warns when `replicas:N` has fewer replicas connected, and when `acknowledged` runs
   * outside sandbox mode.
   */
  verify(logger: Logger, options: { sandbox: boolean }): Promise<void>;
}

/** How long past the WAIT's own timeout its answer is awaited before the step counts as not durable. */
const ANSWER_MARGIN_MS = 1_000;

/** Closes seen on each connection, counted from the first time the guard looked at it. */
const closes = new WeakMap<Redis, { count: number }>();
function closesOf(node: Redis): number {
  let seen = closes.get(node);
  if (!seen) {
    const counter = { count: 0 };
    node.on('close', () => {
      counter.count++;
    });
    closes.set(node, counter);
    seen = counter;
  }
  return seen.count;
}

export function createDurabilityGuard(options: {
  redis: Redis;
  /** A key of the deployment's own (on a Cluster, in the hash tag's slot) that WAIT's probe writes. */
  probeKey: string;
  setting: DurabilitySetting;
}): DurabilityGuard {
  const { redis, probeKey, setting } = options;
  const cluster = (redis as Redis & { isCluster?: boolean }).isCluster
    ? (redis as unknown as Cluster)
    : undefined;
  let slot: Promise<number> | undefined;

  /** The connection that holds the payout keys: the Redis itself, or the prefix shard's primary. */
  async function node(): Promise<Redis | undefined> {
    if (!cluster) return redis;
    slot ??= cluster.call('CLUSTER', 'KEYSLOT', probeKey).then(Number);
    const owner = cluster.slots[await slot]?.[0];
    return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  }

  /**
   * WAITs are issued one at a time per connection, and every step that finished its write while one
   * was out shares the next: under load one WAIT covers many writes.
   */
  const waiters = new WeakMap<Redis, () => Promise<number>>();
  function acknowledgements(on: Redis): Promise<number> {
    let ask = waiters.get(on);
    if (!ask) {
      const replicas = setting.level === 'replicas' ? setting.replicas : 0;
      let issued: Promise<unknown> = Promise.resolve();
      let next: Promise<number> | undefined;
      ask = () => {
        if (next) return next;
        const mine: Promise<number> = issued.then(() => {
          // Sent from here on: a step that finishes its write after this needs the next one.
          next = undefined;
          return on
            .pipeline()
            .incr(probeKey)
            .wait(replicas, setting.timeoutMs)
            .exec()
            .then((res) => {
              const [err, count] = res?.[1] ?? [new Error('no answer to WAIT')];
              if (err) throw err;
              return Number(count);
            });
        });
        next = mine;
        // The next WAIT need not wait for an answer that never comes (a connection waiting out an
        // outage): past the timeout it is issued anyway, and counts only itself.
        issued = Promise.race([
          mine.catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, setting.timeoutMs + ANSWER_MARGIN_MS).unref()),
        ]);
        return mine;
      };
      waiters.set(on, ask);
    }
    return ask();
  }

  async function replicated(on: Redis, before: number): Promise<boolean> {
    // A step may wait behind the WAIT already out (up to its timeout) before its own is sent.
    const count = await Promise.race([
      acknowledgements(on).catch(() => -1),
      new Promise<number>((resolve) =>
        setTimeout(() => resolve(-1), setting.timeoutMs * 2 + ANSWER_MARGIN_MS).unref(),
      ),
    ]);
    const replicas = setting.level === 'replicas' ? setting.replicas : 0;
    return count >= replicas && closesOf(on) === before;
  }

  return {
    setting,

    async durably(write) {
      if (setting.level !== 'replicas') return { result: await write(), durable: true };
      const on = await node().catch(() => undefined);
      const before = on ? closesOf(on) : 0;
      const result = await write();
      if (!on) return { result, durable: false };
      // A cluster whose slot moved since: the write went elsewhere than the WAIT would.
      if ((await node().catch(() => undefined)) !== on) return { result, durable: false };
      return { result, durable: await replicated(on, before) };
    },

    async verify(logger, { sandbox }) {
      if (setting.level === 'acknowledged') {
        if (!sandbox) {
          logger.warn(
            { setting: 'REDIS_DURABILITY' },
            'REDIS_DURABILITY=acknowledged: a Redis fail-over or power loss can lose acknowledged writes (an accepted payout vanishes, or one is sent twice); use fsync or replicas:N in production',
          );
        }
        return;
      }
      const on = await node();
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
    },
  };
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
