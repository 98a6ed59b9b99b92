import { checkSettingsAgree } from './config/agreement.js';
import { credentials } from './config/credentials.js';
import { envSchema } from './config/env-schema.js';
import { ConfigError } from './config/error.js';
import {
  gatewaySettings,
  ledgerSettings,
  notifySettings,
  redisSettings,
  sandboxSettings,
  workerSettings,
} from './config/groups.js';
import { currencySettings } from './config/sections.js';
import type { Config } from './config/types.js';

/**
 * The only module that reads `process.env`. Everything else receives a `Config`.
 *
 * Sandbox mode (GATEWAY_URL unset): the built-in sandbox gateway is used, and the settings that are
 * otherwise required get run-local values (config/credentials.ts). The settings themselves, with
 * their ranges and defaults, are in config/env-schema.ts; the parsed shape in config/types.ts; the
 * settings that must agree in config/agreement.ts; the groups made of several in config/groups.ts.
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

  checkSettingsAgree(e);
  const currencies = currencySettings(e.GATEWAY_WHOLE_UNIT_CURRENCIES, e.PAYOUT_CURRENCIES);

  return {
    ...redisSettings(e),
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    gateway: gatewaySettings(e, sandbox, { merchantKey, salt }),
    console: { secureCookie: e.CONSOLE_SECURE_COOKIE, idleTimeoutMs: e.CONSOLE_IDLE_MINUTES * 60_000 },
    sandbox: sandboxSettings(e),
    api: { keys: apiKeys, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    batch: { maxPayouts: e.BATCH_MAX_PAYOUTS, bodyLimitBytes: e.BATCH_BODY_LIMIT_BYTES },
    dashboard,
    operators,
    approvalTimeoutMs: e.APPROVAL_TIMEOUT_MS,
    payloadKeys,
    notify: notifySettings(e),
    ledger: ledgerSettings(e),
    worker: workerSettings(e),
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
