import type { Cluster, Redis } from 'ioredis';
import type { RedisDurability } from '../config.js';
import type { Logger } from '../logger.js';
import { type GuardContext, nodeOf } from './durability-node.js';
import { verifyDurability } from './durability-verify.js';
import { closesOf, replicated } from './durability-wait.js';

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

/**
 * The guard's parts: durability-node.ts (the connection that holds the payout keys),
 * durability-wait.ts (the shared WAIT and the close counting), durability-verify.ts (the start checks).
 */
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
  const ctx: GuardContext = { redis, cluster, probeKey, setting, slot: undefined, waiters: new WeakMap() };
  return {
    setting,
    durably: (write) => durably(ctx, write),
    verify: (logger, verifyOptions) => verifyDurability(ctx, logger, verifyOptions),
  };
}

/** Runs `write`, then waits until it is durable as the setting asks (DurabilityGuard.durably). */
async function durably<T>(
  ctx: GuardContext,
  write: () => Promise<T>,
): Promise<{ result: T; durable: boolean }> {
  if (ctx.setting.level !== 'replicas') return { result: await write(), durable: true };
  const on = await nodeOf(ctx).catch(() => undefined);
  const before = on ? closesOf(on) : 0;
  const result = await write();
  if (!on) return { result, durable: false };
  // A cluster whose slot moved since: the write went elsewhere than the WAIT would.
  if ((await nodeOf(ctx).catch(() => undefined)) !== on) return { result, durable: false };
  return { result, durable: await replicated(ctx, on, before) };
}
