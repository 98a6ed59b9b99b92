import { credentials } from './config/credentials.js';
import { envSchema } from './config/env-schema.js';
import { ConfigError } from './config/error.js';
import { currencySettings } from './config/sections.js';
import type { Config } from './config/types.js';

/**
 * The only module that reads `process.env`. Everything else receives a `Config`.
 *
 * Sandbox mode (GATEWAY_URL unset): the built-in sandbox gateway is used, and the settings that are
 * otherwise required get run-local values (config/credentials.ts). The settings themselves, with
 * their ranges and defaults, are in config/env-schema.ts; the parsed shape in config/types.ts.
 */

export { payloadKeyId } from './config/credentials.js';
export { SETTING_NAMES } from './config/env-schema.js';
export { ConfigError } from './config/error.js';
export type { Config, PayloadKey, RedisDurability } from './config/types.js';

/** API keys shorter than this are accepted, with a warning at start: they are easy to guess. */
export const API_KEY_MIN_LENGTH = 16;

/**
 * Parses the settings once. Throws a `ConfigError` naming the first bad variable.
 * @param env the environment to read; `process.env` by default.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  const sandbox = e.GATEWAY_URL === undefined;
  const { merchantKey, salt, apiKeys, dashboard, operators, payloadKeys, generated } = credentials(
    e,
    sandbox,
  );

  if ((e.NOTIFY_URL === undefined) !== (e.NOTIFY_SECRET === undefined)) {
    throw new ConfigError(
      e.NOTIFY_URL === undefined ? 'NOTIFY_URL' : 'NOTIFY_SECRET',
      'NOTIFY_URL and NOTIFY_SECRET go together: set both or neither',
    );
  }
  if (e.RETRY_MAX_DELAY_MS < e.RETRY_BASE_DELAY_MS) {
    throw new ConfigError('RETRY_MAX_DELAY_MS', 'must be at least RETRY_BASE_DELAY_MS');
  }

  const currencies = currencySettings(e.GATEWAY_WHOLE_UNIT_CURRENCIES, e.PAYOUT_CURRENCIES);

  const callbackHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return {
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER,
    durability: { ...e.REDIS_DURABILITY, timeoutMs: e.REDIS_DURABILITY_TIMEOUT_MS },
    // On a Redis Cluster every key of the deployment must share one slot: the prefix becomes a hash tag.
    queuePrefix: e.REDIS_CLUSTER && !e.QUEUE_PREFIX.includes('{') ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    gateway: {
      url: (e.GATEWAY_URL ?? `http://127.0.0.1:${e.SANDBOX_PORT}`).replace(/\/+$/, ''),
      sandbox,
      merchantKey,
      salt,
      callbackSalt: e.CALLBACK_SIGNATURE_SALT ?? salt,
      timeoutMs: e.GATEWAY_TIMEOUT_MS,
      connectTimeoutMs: e.GATEWAY_CONNECT_TIMEOUT_MS,
      rateLimitPerSecond: e.GATEWAY_RATE_LIMIT_PER_SECOND,
      resendOnUnknown: e.RESEND_ON_UNKNOWN,
    },
    console: { secureCookie: e.CONSOLE_SECURE_COOKIE, idleTimeoutMs: e.CONSOLE_IDLE_MINUTES * 60_000 },
    sandbox: {
      port: e.SANDBOX_PORT,
      callbackUrl: e.SANDBOX_CALLBACK_URL ?? `http://${callbackHost}:${e.PORT}/v1/callbacks/gateway`,
      timeScale: e.SANDBOX_TIME_SCALE,
      duplicates: e.SANDBOX_DUPLICATES,
    },
    api: { keys: apiKeys, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    batch: { maxPayouts: e.BATCH_MAX_PAYOUTS, bodyLimitBytes: e.BATCH_BODY_LIMIT_BYTES },
    dashboard,
    operators,
    approvalTimeoutMs: e.APPROVAL_TIMEOUT_MS,
    payloadKeys,
    notify: e.NOTIFY_URL && e.NOTIFY_SECRET ? { url: e.NOTIFY_URL, secret: e.NOTIFY_SECRET } : undefined,
    ledger: e.LEDGER_DATABASE_URL
      ? {
          url: e.LEDGER_DATABASE_URL,
          retentionMs: e.PAYOUT_RETENTION_DAYS * 86_400_000,
          migrateOnStart: e.LEDGER_MIGRATE_ON_START,
        }
      : undefined,
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      lockMs: e.WORKER_LOCK_MS,
      maxAttempts: e.PAYOUT_MAX_ATTEMPTS,
      retryBaseDelayMs: e.RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: e.RETRY_MAX_DELAY_MS,
    },
    reconcile: {
      afterMs: e.RECONCILE_AFTER_MS,
      intervalMs: e.RECONCILE_INTERVAL_MS,
      reviewDeadlineMs: e.REVIEW_DEADLINE_MS,
    },
    currencies,
    breaker: {
      threshold: e.BREAKER_THRESHOLD,
      windowMs: e.BREAKER_WINDOW_MS,
      cooldownMs: e.BREAKER_COOLDOWN_MS,
    },
    generated,
  };
}

/** Every secret value of a config, for the logger's last line of defence. */
export const secretsOf = (config: Config): string[] =>
  [
    config.gateway.merchantKey,
    config.gateway.salt,
    config.gateway.callbackSalt,
    config.dashboard?.password,
    ...config.api.keys,
    config.payloadKeys.current.key.toString('base64'),
    ...config.payloadKeys.previous.map((k) => k.key.toString('base64')),
    config.notify?.secret,
    config.ledger ? decodeURIComponent(new URL(config.ledger.url).password) : undefined,
  ].filter((s): s is string => typeof s === 'string' && s.length >= 6);
