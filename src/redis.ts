import { createHash } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Two kinds of connection. Workers wait out a Redis outage (BullMQ requires
 * `maxRetriesPerRequest: null`); request handlers fail fast so a client gets a 503 at once
 * instead of a request hanging on a queue of commands that may never run.
 */
export type ConnectionRole = 'worker' | 'request';

export interface RedisTarget {
  url: string;
  /** REDIS_URL names one node of a Redis Cluster; the others are discovered from it. */
  cluster?: boolean;
}

export interface ConnectOptions {
  /**
   * Sends the commands issued in one event-loop turn as one write (ioredis auto-pipelining). Only for
   * connections that run the payout record's own scripts, each atomic on its own; BullMQ's connections
   * never get it, since BullMQ does not document support for it. One difference in an outage: a batch
   * cut off by a dropped connection is failed, not sent again after the reconnect. The worker takes
   * back a claim lost that way and writes a lost decision again (payout-worker.ts); one it still cannot
   * write leaves its payout `sending`, which the job's next try (or, failing that, the sweep) hands to
   * `needs_review` (never a second send).
   * An API request lost that way gets a 503 and may be repeated (idempotent by external_id).
   */
  autoPipeline?: boolean;
}

export function connectRedis(
  target: RedisTarget,
  role: ConnectionRole,
  logger?: Logger,
  connectOptions: ConnectOptions = {},
): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  if (connectOptions.autoPipeline) options.enableAutoPipelining = true;
  const retryStrategy = (times: number) => Math.min(200 * times, 2_000);
  let redis: Redis;
  if (target.cluster) {
    const seed = new URL(target.url);
    const auth = {
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(seed.protocol === 'rediss:' ? { tls: {} } : {}),
    };
    // Every key of a deployment shares one hash tag, so every command and script goes to one slot.
    // A Cluster answers the same commands as a single Redis; ioredis types them apart, hence the cast.
    redis = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
      enableOfflineQueue: options.enableOfflineQueue ?? true,
      enableReadyCheck: true,
      clusterRetryStrategy: retryStrategy,
      enableAutoPipelining: options.enableAutoPipelining ?? false,
      redisOptions: { ...options, ...auth },
    }) as unknown as Redis;
  } else {
    redis = new Redis(target.url, { ...options, lazyConnect: false, retryStrategy });
  }
  let down = false;
  redis.on('error', (err: Error & { code?: string }) => {
    if (!down) logger?.warn({ role, code: err.code, err }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info({ role }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/** Resolves once the connection is ready; rejects after `timeoutMs` with a line naming the wait. */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Warns when Redis may evict keys: BullMQ and the payout records must never be evicted. */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<void> {
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1];
    if (policy !== 'noeviction') {
      logger.warn(
        { maxmemory_policy: policy },
        'Redis maxmemory-policy is not noeviction: under memory pressure Redis may delete queued payouts',
      );
    }
  } catch {
    // CONFIG may be disabled (managed Redis); the check is advisory.
  }
}

/**
 * Replies with which Redis refuses to run a command at all, for a while: full under `noeviction`
 * (OOM), a replica during a fail-over (READONLY), loading its data, a cluster slot moving or down, a
 * long script running. The command did not run, as when the connection is lost.
 */
const REFUSED_FOR_NOW = /^(OOM|READONLY|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|NOREPLICAS|BUSY) /;

/**
 * True when the error means Redis could not be reached or refused to serve for now (as opposed to a
 * script or data error): the API answers 503, the worker tries the write again.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    isConnectionLost(err) ||
    REFUSED_FOR_NOW.test(err.message) ||
    /enableOfflineQueue|Reached the max retries|connect ETIMEDOUT|Command aborted due to connection close/i.test(
      err.message,
    )
  );
}

/** Network errors of a connection to Redis: refused, cut, timed out, or its host not found (yet). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The connection itself is lost or cannot be made (Redis down, restarting, its container or host
 * gone): ioredis reconnects by itself. Unlike Redis refusing commands (REFUSED_FOR_NOW), this says
 * nothing about Redis's own state.
 */
export function isConnectionLost(err: Error & { code?: string }): boolean {
  return (
    CONNECTION_CODES.has(err.code ?? '') || /Stream isn't writeable|Connection is closed/i.test(err.message)
  );
}

const scriptShas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the text only when the server does not have it
 * yet (after a restart, or on a cluster node that never ran it). Atomic either way.
 */
export async function runScript(
  redis: Redis,
  script: string,
  numKeys: number,
  ...args: (string | number)[]
): Promise<unknown> {
  let sha = scriptShas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    scriptShas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
      return redis.eval(script, numKeys, ...args);
    throw err;
  }
}
