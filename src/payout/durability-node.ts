import type { Cluster, Redis } from 'ioredis';
import type { DurabilitySetting } from './durability.js';

/** What one durability guard works with, and what it keeps between steps. */
export interface GuardContext {
  redis: Redis;
  /** The Redis as a Cluster client, when it is one. */
  cluster: Cluster | undefined;
  /** A key of the deployment's own (on a Cluster, in the hash tag's slot) that WAIT's probe writes. */
  probeKey: string;
  setting: DurabilitySetting;
  /** The probe key's cluster slot, asked once. */
  slot: Promise<number> | undefined;
  /** Per connection, how this guard asks for its shared WAIT (durability-wait.ts). */
  waiters: WeakMap<Redis, () => Promise<number>>;
}

/** The connection that holds the payout keys: the Redis itself, or the prefix shard's primary. */
export async function nodeOf(ctx: GuardContext): Promise<Redis | undefined> {
  const { cluster } = ctx;
  if (!cluster) return ctx.redis;
  ctx.slot ??= cluster.call('CLUSTER', 'KEYSLOT', ctx.probeKey).then(Number);
  const owner = cluster.slots[await ctx.slot]?.[0];
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
}
