import type { Env } from './env-schema.js';
import type { Config } from './types.js';

/**
 * The groups of a Config made of several settings, or of settings with a rule: where Redis is and
 * how its keys are named, the gateway, the built-in sandbox, the notifications, the ledger and the
 * worker.
 */

export const redisSettings = (
  e: Env,
): Pick<Config, 'redisUrl' | 'redisCluster' | 'durability' | 'queuePrefix'> => ({
  redisUrl: e.REDIS_URL,
  redisCluster: e.REDIS_CLUSTER,
  durability: { ...e.REDIS_DURABILITY, timeoutMs: e.REDIS_DURABILITY_TIMEOUT_MS },
  // On a Redis Cluster every key of the deployment must share one slot: the prefix becomes a hash tag.
  queuePrefix: e.REDIS_CLUSTER && !e.QUEUE_PREFIX.includes('{') ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
});

export const gatewaySettings = (
  e: Env,
  sandbox: boolean,
  secrets: { merchantKey: string; salt: string },
): Config['gateway'] => ({
  url: (e.GATEWAY_URL ?? `http://127.0.0.1:${e.SANDBOX_PORT}`).replace(/\/+$/, ''),
  sandbox,
  merchantKey: secrets.merchantKey,
  salt: secrets.salt,
  callbackSalt: e.CALLBACK_SIGNATURE_SALT ?? secrets.salt,
  timeoutMs: e.GATEWAY_TIMEOUT_MS,
  connectTimeoutMs: e.GATEWAY_CONNECT_TIMEOUT_MS,
  rateLimitPerSecond: e.GATEWAY_RATE_LIMIT_PER_SECOND,
  resendOnUnknown: e.RESEND_ON_UNKNOWN,
});

export function sandboxSettings(e: Env): Config['sandbox'] {
  const callbackHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return {
    port: e.SANDBOX_PORT,
    callbackUrl: e.SANDBOX_CALLBACK_URL ?? `http://${callbackHost}:${e.PORT}/v1/callbacks/gateway`,
    timeScale: e.SANDBOX_TIME_SCALE,
    duplicates: e.SANDBOX_DUPLICATES,
  };
}

export const notifySettings = (e: Env): Config['notify'] =>
  e.NOTIFY_URL && e.NOTIFY_SECRET ? { url: e.NOTIFY_URL, secret: e.NOTIFY_SECRET } : undefined;

export const ledgerSettings = (e: Env): Config['ledger'] =>
  e.LEDGER_DATABASE_URL
    ? {
        url: e.LEDGER_DATABASE_URL,
        retentionMs: e.PAYOUT_RETENTION_DAYS * 86_400_000,
        migrateOnStart: e.LEDGER_MIGRATE_ON_START,
      }
    : undefined;

export const workerSettings = (e: Env): Config['worker'] => ({
  concurrency: e.WORKER_CONCURRENCY,
  lockMs: e.WORKER_LOCK_MS,
  maxAttempts: e.PAYOUT_MAX_ATTEMPTS,
  retryBaseDelayMs: e.RETRY_BASE_DELAY_MS,
  retryMaxDelayMs: e.RETRY_MAX_DELAY_MS,
});
